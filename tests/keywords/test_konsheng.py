"""A library of ≥10,000 real terms: the konsheng lexicon imported with the shipped mapping at test time."""

from __future__ import annotations

import itertools
import random
import re
from pathlib import Path

import pytest
from opencc import OpenCC
from pypinyin import lazy_pinyin

from aibeian.keywords import Library, Matcher, check_library, normalise_keyword

pytestmark = pytest.mark.slow

HAN = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
NOISE = list("*.,，。!！?？-_/|~·…😀👍\u200b\u200d ")


def evade(term: str, rng: random.Random, s2t: OpenCC) -> tuple[str, str]:
    """One evasive spelling of ``term`` and the evasion used (mixtures included)."""
    kind = rng.choice(["traditional", "noise", "pinyin", "mixed", "fullwidth-pinyin"])
    if kind == "pinyin":
        syllables = lazy_pinyin(term)
        sep = rng.choice(["", " ", "-"])
        return sep.join(s.capitalize() if rng.random() < 0.5 else s for s in syllables), kind
    if kind == "fullwidth-pinyin":
        return "".join(chr(ord(c) + 0xFEE0) for c in "".join(lazy_pinyin(term)).upper()), kind
    chars = list(s2t.convert(term)) if kind in ("traditional", "mixed") else list(term)
    if kind in ("noise", "mixed"):
        chars = [c + "".join(rng.choices(NOISE, k=rng.randint(0, 3))) for c in chars[:-1]] + chars[-1:]
    return "".join(chars), kind


def test_import_gives_a_real_library_of_10000_terms(konsheng_csv: Path) -> None:
    library = Library.load(konsheng_csv)
    assert len(library) >= 10_000
    report = check_library(library)
    assert report.total >= 10_000
    assert report.per_risk["A.1.8"] > 10_000 and report.per_risk["A.1.6"] >= 200
    assert not any(p.kind == "duplicate" for p in report.problems)  # the importer dropped them
    assert {s["risk"] for s in report.short} >= {"A.1.5", "A.2.1"}  # the lexicon has no such categories
    assert not report.ok


def test_recall_on_injected_evasive_occurrences(konsheng_csv: Path, konsheng_matcher: Matcher) -> None:
    rng = random.Random(20261123)
    s2t = OpenCC("s2t")
    terms = sorted({k.keyword for k in Library.load(konsheng_csv).entries if HAN.match(k.keyword)})
    sample = rng.sample(terms, 600)
    lines, expected = [], []
    for term in sample:
        evasive, _ = evade(term, rng, s2t)
        lines.append(evasive)
        expected.append(term)
    text = "\n".join(lines)
    found = konsheng_matcher.find(text)
    starts = {m.start: m for m in found}
    hit = 0
    offset = 0
    for line, term in zip(lines, expected, strict=True):
        m = starts.get(offset)
        if m is not None and m.end == offset + len(line):
            hit += 1
        elif m is not None and normalise_keyword(m.keyword) != normalise_keyword(term):
            hit += 1  # another keyword of the library covers the line: the occurrence is still reported
        offset += len(line) + 1
    assert hit / len(lines) >= 0.99


def test_clean_text_spans_are_exact(konsheng_matcher: Matcher, external_dir: Path) -> None:
    law = max((external_dir / "cn-laws-corpus" / "刑法").glob("*.md"), key=lambda p: p.stat().st_size)
    text = law.read_text(encoding="utf-8")
    found = konsheng_matcher.find(text)
    assert found
    assert all(text[m.start : m.end] == m.text for m in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
