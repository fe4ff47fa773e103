"""Naming the evasion an occurrence used, from flag bits the normalisation table carries.

Each table entry says whether folding changed the character (traditional, full-width, case) or removed it
(noise). OR-ing those flags over a match's original span — one ``reduceat`` for all matches — names the
evasions without looking at characters one by one. Only keywords that are themselves written in a variant
form (臺灣獨立, AV) need a per-character comparison, and its results are memoised.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from aibeian.keywords._compiled import Compiled
from aibeian.keywords._normalise import (
    CASE,
    NOISE,
    OTHER_NOISE,
    TRADITIONAL,
    WIDTH,
    Normalised,
    normalise,
    stage_fold,
)

__all__ = ["EVASIONS", "NAMES", "EvasionNamer"]

EVASIONS = ("traditional", "fullwidth", "case", "noise", "pinyin")
_BITS = {"traditional": 1, "fullwidth": 2, "case": 4, "noise": 8, "pinyin": 16}
NAMES: dict[int, tuple[str, ...]] = {
    bits: tuple(n for n in EVASIONS if bits & _BITS[n]) for bits in range(32)
}


class EvasionNamer:
    """Evasion bits for a compiled library's matches (a bit set over EVASIONS)."""

    def __init__(self, compiled: Compiled) -> None:
        self._c = compiled
        self._variants: dict[tuple[str, str], int] = {}

    def bits(
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
            bits[i] = (bits[i] & (8 | 16)) | self.variant_bits(
                text, int(start[i]), int(end[i]), c.keywords[int(keyword[i])][0]
            )
        return bits

    def variant_bits(self, text: str, start: int, end: int, keyword: str) -> int:
        """Which forms differ between the text and a keyword written with variant characters itself (the C
        engine asks this too, once per keyword and written form)."""
        written = text[start:end]
        known = self._variants.get((keyword, written))
        if known is not None:
            return known
        wanted = "".join(keyword[i] for i in normalise(keyword).index.tolist())
        got = written
        if len(written) != len(wanted):  # noise inside: compare the surviving characters only
            got = "".join(written[i] for i in normalise(written).index.tolist())
        bits = 0
        for have, want in zip(got, wanted, strict=False):
            if have != want:
                (hw, hl, _), (ww, wl, _) = stage_fold(have), stage_fold(want)
                bits |= 2 if hw == ww else 4 if hl == wl else 1
        if len(self._variants) < 100_000:
            self._variants[(keyword, written)] = bits
        return bits
