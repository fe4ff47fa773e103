"""The evasion-resistant matcher: normalise, match literals in bulk, map spans back, filter, name evasions.

With the native engine (the ``_cmatch`` C extension) all of it happens in one C pass per text and ``find``
builds its ``Match`` tuples in C; Python only names the evasion of keywords written in a variant form
themselves. The pure-Python fallback below does the same steps and gives the same results (tested on
random text): the per-character work happens in numpy and in the automaton; Python touches each *match* a
few times and each *rejected* match more (rare: a noise run longer than allowed, a Latin literal inside a
longer word).
A rejected leftmost-longest match may hide a valid shorter one, so the stretch up to the next accepted match
is re-scanned with every overlapping candidate and resolved leftmost-longest again: the result is the same
as if invalid candidates had never existed, and each occurrence is still reported once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from aibeian.keywords._compiled import (
    ALLOW,
    ENGINE,
    NATIVE,
    Compiled,
    is_word,
    load_or_compile,
    native_scanner,
)
from aibeian.keywords._evasion import EVASIONS, NAMES, EvasionNamer
from aibeian.keywords._normalise import (
    NOISE,
    NOISE_GAP_MAX,
    VISIBLE_NOISE,
    Normalised,
    normalise,
)

if TYPE_CHECKING:
    from aibeian.keywords._cmatch import Scanner
    from aibeian.keywords._library import AllowList, Library

__all__ = ["EVASIONS", "Match", "Matcher", "Spans"]

CHUNK_CHARS = 1 << 22
"""Texts longer than this are scanned in pieces cut at line breaks (exact: no match crosses one)."""
_NAMES = tuple(NAMES[bits] for bits in range(len(NAMES)))
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    """The engine in use: ``native`` (the C extension) or ``daachorse`` (the pure-Python fallback)."""

    def __init__(self, compiled: Compiled) -> None:
        self._c = compiled
        self.engine = compiled.engine
        self.keywords = compiled.keywords
        self._owners = [tuple(k) for k in compiled.keywords]
        self._namer = EvasionNamer(compiled)
        self._scanner: Scanner | None = None
        if compiled.engine == NATIVE:
            keywords, namer = compiled.keywords, self._namer.variant_bits
            self._scanner = native_scanner(
                compiled, Match, _NAMES, lambda text, start, end, k: namer(text, start, end, keywords[k][0])
            )

    def __reduce__(self) -> tuple[type[Matcher], tuple[Compiled]]:
        """Pickle as the compiled state alone (plain arrays), so a matcher can be shipped to worker processes;
        the receiving process rebuilds the C scanner from it."""
        return (Matcher, (self._c,))

    @classmethod
    def compile(
        cls,
        library: Library,
        allow: AllowList | Iterable[str] | str | Path | None = None,
        *,
        pinyin: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        engine: str | None = None,
    ) -> Matcher:
        """Compile ``library`` (with an allow-list: an AllowList, a CSV path or phrases). With ``cache_dir``
        the compiled automaton is stored and reused for the same library and allow-list content.
        ``engine`` (``native`` or ``daachorse``; default: ``AIBEIAN_MATCHER_ENGINE``, else the fastest
        installed) exists so the two can be compared; both give the same matches."""
        from aibeian.keywords._library import coerce_allow

        cache = Path(cache_dir) if cache_dir is not None else None
        return cls(
            load_or_compile(library, coerce_allow(allow), pinyin=pinyin, cache_dir=cache, engine=engine)
        )

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
        if self._scanner is not None:
            with _gc_paused():
                if len(text) <= CHUNK_CHARS:
                    return self._scanner.find(text)
                for offset, piece in _pieces(text):
                    found += self._scanner.find(piece, offset)
            return found
        new = tuple.__new__
        with _gc_paused():
            for offset, piece in _pieces(text):
                spans = self._spans(piece)
                if not len(spans):
                    continue
                starts, ends = spans.start.tolist(), spans.end.tolist()
                owners = [self._owners[k] for k in spans.keyword.tolist()]
                names = [NAMES[bits] for bits in spans.evasion.tolist()]
                found += [
                    new(Match, (a + offset, b + offset, piece[a:b], kw[0], kw[1], ev))
                    for a, b, kw, ev in zip(starts, ends, owners, names, strict=True)
                ]
        return found

    def find_iter(self, texts: Iterable[str]) -> Iterator[list[Match]]:
        """One list of matches per text of a stream, lazily."""
        for text in texts:
            yield self.find(text)

    def spans(self, text: str) -> Spans:
        """The columnar form of ``find`` for one text (no chunking: pass pieces of reasonable size)."""
        with _gc_paused():
            return self._spans(text)

    def _spans(self, text: str) -> Spans:
        if self._scanner is not None:
            start, end, keyword, bits = self._scanner.scan(text)
            return Spans(
                np.frombuffer(start, dtype=np.int64),
                np.frombuffer(end, dtype=np.int64),
                np.frombuffer(keyword, dtype=np.int32),
                np.frombuffer(bits, dtype=np.int64),
            )
        norm = normalise(text)
        c = self._c
        raw = _utf8_safe(c.longest.find, norm.text)
        if not raw:
            return _empty()
        s, e, pid = _columns(raw)
        ok = self._valid(norm, s, e, pid)
        if not ok.all():
            s, e, pid = self._repair(norm, s, e, pid, ok)
        keep = c.pattern_keyword[pid] != ALLOW
        s, e, pid = s[keep], e[keep], pid[keep]
        start, end = norm.index[s], norm.index[e - 1] + 1
        return Spans(start, end, c.pattern_keyword[pid], self._namer.bits(text, norm, start, end, pid))

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
        """Re-resolve each stretch that holds rejected matches from every valid overlapping candidate.

        A stretch runs from a rejected match to the next accepted one; rejected matches sharing that stop
        share the stretch. All stretches are scanned in one call, joined by ``\n`` (in no literal)."""
        acc_s, acc_e, acc_p = s[ok], e[ok], pid[ok]
        bad = np.flatnonzero(~ok)
        nxt = np.searchsorted(acc_s, e[bad])
        if len(acc_s):
            stops = np.where(nxt < len(acc_s), acc_s[np.minimum(nxt, len(acc_s) - 1)], len(norm.text))
        else:
            stops = np.full(len(bad), len(norm.text), dtype=np.int64)
        stops, first = np.unique(stops, return_index=True)
        begins = s[bad][first]
        joined = "\n".join(norm.text[a:b] for a, b in zip(begins.tolist(), stops.tolist(), strict=True))
        offsets = np.concatenate(([0], np.cumsum(stops - begins + 1)[:-1]))
        extra: list[tuple[int, int, int]] = []
        cand = _utf8_safe(self._c.overlapping.find_overlapping, joined)
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
                    extra.append((a, -negb, p))
                    cursor = -negb
        if not extra:
            return acc_s, acc_e, acc_p
        more = np.array(extra, dtype=np.int64)
        all_s = np.concatenate((acc_s, more[:, 0]))
        order = np.argsort(all_s, kind="stable")
        return (
            all_s[order],
            np.concatenate((acc_e, more[:, 1]))[order],
            np.concatenate((acc_p, more[:, 2]))[order],
        )


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while we allocate match tuples by the hundred thousand.

    Tuples of ints and strings cannot form cycles, yet each allocation burst triggers full generational
    scans: measured, pausing makes building 240k matches about three times faster."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _utf8_safe(find: Any, text: str) -> list[tuple[int, int, int]]:
    """daachorse takes UTF-8, and a Python str may hold lone surrogates (from ``surrogateescape`` or
    ``json.loads``). They are in no keyword, so they are replaced by ``\n`` (in no literal either) only when
    present: offsets stay the same, and the usual case pays nothing."""
    try:
        found: list[tuple[int, int, int]] = find(text)
    except UnicodeEncodeError:
        found = find(_SURROGATE.sub("\n", text))
    return found


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
