"""The evasion-resistant matcher: normalise, match literals in bulk, map spans back, filter, name evasions.

The per-character work happens in numpy and in the automaton; Python touches each *match* a few times and
each *rejected* match more (rare: a noise run longer than allowed, a Latin literal inside a longer word).
A rejected leftmost-longest match may hide a valid shorter one, so the stretch up to the next accepted match
is re-scanned with every overlapping candidate and resolved leftmost-longest again: the result is the same
as if invalid candidates had never existed, and each occurrence is still reported once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from aibeian.keywords._compiled import ALLOW, ENGINE, Compiled, is_word, load_or_compile
from aibeian.keywords._library import AllowList, Library, coerce_allow
from aibeian.keywords._normalise import (
    CASE,
    NOISE,
    NOISE_GAP_MAX,
    OTHER_NOISE,
    TRADITIONAL,
    VISIBLE_NOISE,
    WIDTH,
    Normalised,
    normalise,
    stage_fold,
)

__all__ = ["EVASIONS", "Match", "Matcher", "Spans"]

EVASIONS = ("traditional", "fullwidth", "case", "noise", "pinyin")
_BITS = {"traditional": 1, "fullwidth": 2, "case": 4, "noise": 8, "pinyin": 16}
_NAMES = {bits: tuple(n for n in EVASIONS if bits & _BITS[n]) for bits in range(32)}
CHUNK_CHARS = 1 << 22
"""Texts longer than this are scanned in pieces cut at line breaks (exact: no match crosses one)."""


class Match(NamedTuple):
    """One occurrence: ``text`` is exactly ``original[start:end]`` (code points of the original input).

    A named tuple rather than a dataclass: a match-dense text yields hundreds of thousands of these and
    tuple construction is several times cheaper."""

    start: int
    end: int
    text: str
    keyword: str
    risk: str
    evasion: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "keyword": self.keyword,
            "risk": self.risk,
            "evasion": list(self.evasion),
        }


@dataclass(frozen=True)
class Spans:
    """Matches of one text as columns (for bulk consumers that do not want one object per match)."""

    start: npt.NDArray[np.int64]
    end: npt.NDArray[np.int64]
    keyword: npt.NDArray[np.int32]  # index into ``Matcher.keywords``
    evasion: npt.NDArray[np.int64]  # bit set over EVASIONS

    def __len__(self) -> int:
        return len(self.start)


def _max_noise_run(packed: npt.NDArray[np.int32]) -> int:
    run = best = 0
    for value in (packed & VISIBLE_NOISE).tolist():
        run = run + 1 if value else 0
        best = max(best, run)
    return best


class Matcher:
    """A compiled library. Compile once (cached by content hash), then call ``find`` on many texts."""

    engine = ENGINE

    def __init__(self, compiled: Compiled) -> None:
        self._c = compiled
        self.keywords = compiled.keywords
        self._variants: dict[tuple[str, str], int] = {}

    @classmethod
    def compile(
        cls,
        library: Library,
        allow: AllowList | Iterable[str] | str | Path | None = None,
        *,
        pinyin: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
    ) -> Matcher:
        """Compile ``library`` (with an allow-list: an AllowList, a CSV path or phrases). With ``cache_dir``
        the compiled automaton is stored and reused for the same library and allow-list content."""
        cache = Path(cache_dir) if cache_dir is not None else None
        return cls(load_or_compile(library, coerce_allow(allow), pinyin=pinyin, cache_dir=cache))

    @property
    def version(self) -> str:
        """The content hash the compiled state is keyed by."""
        return self._c.key

    @property
    def patterns(self) -> int:
        return self._c.patterns

    def find(self, text: str) -> list[Match]:
        """Every occurrence in ``text``, once each, in order."""
        found: list[Match] = []
        for offset, piece in _pieces(text):
            spans = self.spans(piece)
            if not len(spans):
                continue
            starts, ends = spans.start.tolist(), spans.end.tolist()
            keywords, risks = zip(*[self.keywords[k] for k in spans.keyword.tolist()], strict=True)
            found.extend(
                map(
                    Match._make,
                    zip(
                        [a + offset for a in starts],
                        [b + offset for b in ends],
                        [piece[a:b] for a, b in zip(starts, ends, strict=True)],
                        keywords,
                        risks,
                        [_NAMES[bits] for bits in spans.evasion.tolist()],
                        strict=True,
                    ),
                )
            )
        return found

    def find_iter(self, texts: Iterable[str]) -> Iterator[list[Match]]:
        """One list of matches per text of a stream, lazily."""
        for text in texts:
            yield self.find(text)

    def spans(self, text: str) -> Spans:
        """The columnar form of ``find`` for one text (no chunking: pass pieces of reasonable size)."""
        norm = normalise(text)
        c = self._c
        raw = c.longest.find(norm.text)
        if not raw:
            return _empty()
        s, e, pid = _columns(raw)
        ok = self._valid(norm, s, e, pid)
        if not ok.all():
            s, e, pid = self._repair(norm, s, e, pid, ok)
        keep = c.pattern_keyword[pid] != ALLOW
        s, e, pid = s[keep], e[keep], pid[keep]
        start, end = norm.index[s], norm.index[e - 1] + 1
        return Spans(start, end, c.pattern_keyword[pid], self._evasions(text, norm, start, end, pid))

    def _valid(
        self, norm: Normalised, s: npt.NDArray[np.int64], e: npt.NDArray[np.int64], pid: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        c, index, packed = self._c, norm.index, norm.packed
        start, end = index[s], index[e - 1] + 1
        ok = np.ones(len(s), dtype=bool)
        for i in np.flatnonzero((end - start) - (e - s) > NOISE_GAP_MAX).tolist():  # enough noise to check
            ok[i] = _max_noise_run(packed[start[i] : end[i]]) <= NOISE_GAP_MAX
        check = c.pattern_latin_start[pid] & (start > 0)
        if check.any():
            before = packed[np.maximum(start - 1, 0)].astype(np.int64)
            ok &= ~(check & is_word(before) & ((before & NOISE) == 0))
        check = c.pattern_latin_end[pid] & (end < len(packed))
        if check.any():
            after = packed[np.minimum(end, len(packed) - 1)].astype(np.int64)
            ok &= ~(check & is_word(after) & ((after & NOISE) == 0))
        return ok

    def _repair(
        self,
        norm: Normalised,
        s: npt.NDArray[np.int64],
        e: npt.NDArray[np.int64],
        pid: npt.NDArray[np.int64],
        ok: npt.NDArray[np.bool_],
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Re-resolve each stretch that holds rejected matches from every valid overlapping candidate."""
        kept = list(zip(s[ok].tolist(), e[ok].tolist(), pid[ok].tolist(), strict=True))
        accepted_starts = s[ok]
        stretches: list[tuple[int, int]] = []
        for i in np.flatnonzero(~ok).tolist():
            begin = int(s[i])
            if stretches and begin < stretches[-1][1]:
                continue  # already inside the previous stretch
            nxt = int(np.searchsorted(accepted_starts, e[i]))
            stop = int(accepted_starts[nxt]) if nxt < len(accepted_starts) else len(norm.text)
            stretches.append((begin, stop))
        joined = "\n".join(norm.text[a:b] for a, b in stretches)  # "\n" is in no literal: no match spans two
        offsets = np.cumsum([0] + [b - a + 1 for a, b in stretches[:-1]])
        begins = np.array([a for a, _ in stretches], dtype=np.int64)
        cand = self._c.overlapping.find_overlapping(joined)
        if cand:
            cs, ce, cp = _columns(cand)
            which = np.searchsorted(offsets, cs, side="right") - 1
            shift = begins[which] - offsets[which]
            cs, ce = cs + shift, ce + shift
            good = self._valid(norm, cs, ce, cp)
            cursor = -1
            for a, negb, p in sorted(
                zip(cs[good].tolist(), (-ce[good]).tolist(), cp[good].tolist(), strict=True)
            ):
                if a >= cursor:
                    kept.append((a, -negb, p))
                    cursor = -negb
        kept.sort()
        arr = np.array(kept, dtype=np.int64).reshape(-1, 3)
        return arr[:, 0], arr[:, 1], arr[:, 2]

    def _evasions(
        self,
        text: str,
        norm: Normalised,
        start: npt.NDArray[np.int64],
        end: npt.NDArray[np.int64],
        pid: npt.NDArray[np.int64],
    ) -> npt.NDArray[np.int64]:
        c = self._c
        if not len(start):
            return np.zeros(0, dtype=np.int64)
        packed, last = norm.packed, len(norm.packed) - 1
        bounds = np.empty(2 * len(start), dtype=np.int64)
        bounds[0::2], bounds[1::2] = start, np.minimum(end, last)  # reduceat needs indices < len
        ors = np.bitwise_or.reduceat(packed, bounds)[0::2].astype(np.int64)
        if end[-1] > last:
            ors[-1] |= int(packed[last])
        pinyin = c.pattern_pinyin[pid]
        bits = (
            np.where(ors & TRADITIONAL, 1, 0) | np.where(ors & WIDTH, 2, 0) | np.where(ors & CASE, 4, 0)
        ).astype(np.int64)
        bits = np.where(pinyin, bits & ~(1 | 4), bits)  # a Latin spelling has no characters or case to vary
        noise = np.where(pinyin, ors & OTHER_NOISE, ors & NOISE)
        bits |= np.where(noise != 0, 8, 0) | np.where(pinyin, 16, 0)
        keyword = c.pattern_keyword[pid]
        for i in np.flatnonzero(c.keyword_recheck[keyword] & ~pinyin).tolist():
            bits[i] = (bits[i] & (8 | 16)) | self._variant_bits(
                text, norm, int(start[i]), int(end[i]), c.keywords[int(keyword[i])][0]
            )
        return bits

    def _variant_bits(self, text: str, norm: Normalised, start: int, end: int, keyword: str) -> int:
        """Which forms differ between the text and a keyword written with variant characters itself."""
        written = text[start:end]
        known = self._variants.get((keyword, written))
        if known is not None:
            return known
        wanted = "".join(keyword[i] for i in normalise(keyword).index.tolist())
        got = written
        if len(written) != len(wanted):  # noise inside: compare the surviving characters only
            lo, hi = np.searchsorted(norm.index, [start, end])
            got = "".join(text[i] for i in norm.index[lo:hi].tolist())
        bits = 0
        for have, want in zip(got, wanted, strict=False):
            if have != want:
                (hw, hl, _), (ww, wl, _) = stage_fold(have), stage_fold(want)
                bits |= 2 if hw == ww else 4 if hl == wl else 1
        if len(self._variants) < 100_000:
            self._variants[(keyword, written)] = bits
        return bits


def _columns(raw: list[tuple[int, int, int]]) -> tuple[npt.NDArray[np.int64], ...]:
    """The automaton's (start, end, pattern) tuples as three arrays (fromiter: half the time of np.array)."""
    flat = np.fromiter(chain.from_iterable(raw), dtype=np.int64, count=3 * len(raw)).reshape(-1, 3)
    return flat[:, 0], flat[:, 1], flat[:, 2]


def _empty() -> Spans:
    none = np.zeros(0, dtype=np.int64)
    return Spans(none, none, np.zeros(0, dtype=np.int32), none)


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """Cut a long text at line breaks into pieces of about CHUNK_CHARS, with their code-point offsets."""
    if len(text) <= CHUNK_CHARS:
        yield 0, text
        return
    begin = 0
    while begin < len(text):
        stop = min(begin + CHUNK_CHARS, len(text))
        if stop < len(text):
            cut = text.rfind("\n", begin, stop)
            if cut < begin:
                cut = text.find("\n", stop)  # one enormous line: never cut inside it
            stop = cut + 1 if cut >= begin else len(text)
        yield begin, text[begin:stop]
        begin = stop
