"""Data for bench/matcher.py: the konsheng terms, ≥10 MB of legal text, and evasive occurrences injected into it.

Everything is read from ../shared/data/external by path (never copied) and generated with a fixed seed, so
two runs of the benchmark scan the same bytes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from opencc import OpenCC
from pypinyin import lazy_pinyin

EXTERNAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "external"
LEXICON = EXTERNAL / "konsheng-sensitive-lexicon" / "Vocabulary"
CORPUS = EXTERNAL / "cn-laws-corpus"
HAN_TERM = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
NOISE = list("*.,，。!！?？-_/|~·…😀👍\u200b\u200d ")
KINDS = ("traditional", "fullwidth", "noise", "pinyin", "mixed")


def terms() -> list[str]:
    """Every distinct term of the lexicon, in file order (≈51k)."""
    seen: dict[str, None] = {}
    for path in sorted(LEXICON.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if word:
                seen.setdefault(word, None)
    return list(seen)


def corpus_text(min_bytes: int) -> str:
    """The laws concatenated (repeated when needed) and cut at the first line break after ``min_bytes``."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.md")))
    whole = text
    while len(whole.encode("utf-8")) < min_bytes:
        whole += "\n" + text
    data = whole.encode("utf-8")
    cut = data.find(b"\n", min_bytes)
    return data[: cut if cut >= 0 else len(data)].decode("utf-8")


def evade(term: str, kind: str, rng: random.Random, s2t: OpenCC) -> str:
    if kind == "traditional":
        return str(s2t.convert(term))
    if kind == "fullwidth":  # full-width letters only exist in Latin: the pinyin spelling in full width
        return "".join(chr(ord(c) + 0xFEE0) for c in "".join(lazy_pinyin(term)).upper())
    if kind == "pinyin":
        sep = rng.choice(["", " ", "-"])
        return sep.join(s.capitalize() if rng.random() < 0.5 else s for s in lazy_pinyin(term))
    chars = list(s2t.convert(term)) if kind == "mixed" else list(term)
    return "".join(c + "".join(rng.choices(NOISE, k=rng.randint(1, 3))) for c in chars[:-1]) + chars[-1]


@dataclass(frozen=True)
class Injected:
    text: str
    spans: list[tuple[int, int, str, str]]  # start, end, original term, evasion kind


def inject(text: str, pool: list[str], count: int, seed: int = 20261123) -> Injected:
    """Insert ``count`` evasive spellings of terms from ``pool`` between two Chinese characters of ``text``
    (so a pinyin spelling is not glued to a Latin word, which would rightly not match)."""
    rng = random.Random(seed)
    s2t = OpenCC("s2t")
    han_terms = [t for t in pool if HAN_TERM.match(t) and s2t.convert(t) != t]
    chosen = rng.sample(han_terms, count)
    slots = [
        i
        for i in range(1, len(text))
        if "\u4e00" <= text[i - 1] <= "\u9fff" and "\u4e00" <= text[i] <= "\u9fff"
    ]
    positions = sorted(rng.sample(slots, count))
    out: list[str] = []
    spans: list[tuple[int, int, str, str]] = []
    last = 0
    length = 0
    for n, (pos, term) in enumerate(zip(positions, chosen, strict=True)):
        kind = KINDS[n % len(KINDS)]
        piece = evade(term, kind, rng, s2t)
        out.append(text[last:pos])
        length += pos - last
        spans.append((length, length + len(piece), term, kind))
        out.append(piece)
        length += len(piece)
        last = pos
    out.append(text[last:])
    return Injected("".join(out), spans)


def recall(spans: list[tuple[int, int, str, str]], found: list[tuple[int, int]]) -> tuple[float, float]:
    """(covered, overlapped): share of injected spans covered by one reported span, and touched by one."""
    found = sorted(found)
    starts = [s for s, _ in found]
    import bisect

    covered = touched = 0
    for start, end, _, _ in spans:
        i = bisect.bisect_right(starts, end - 1)
        near = found[max(0, i - 8) : i]
        if any(s <= start and e >= end for s, e in near):
            covered += 1
        if any(s < end and e > start for s, e in near):
            touched += 1
    return covered / len(spans), touched / len(spans)
