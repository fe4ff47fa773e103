"""Normalisation with an offset map: one numpy lookup table per code point, no Python loop per character.

Evaders rely on the matcher comparing characters literally: 臺獨 for 台独, ＡＶ for av, 台*独 for 台独. We fold
all of these away before matching by mapping every code point of the input through one table that, at
once, (1) applies the compatibility fold (full-width → half-width, Kangxi radicals → ideographs, ① → 1),
(2) lower-cases, (3) maps traditional and variant characters to simplified (OpenCC's single-character
tables), and (4) marks noise (spaces, punctuation, symbols, emoji, zero-width and combining characters)
for removal. Line and paragraph breaks survive as ``\\n`` so that no literal, which never contains one,
can match across them. The positions of the surviving characters are kept (``Normalised.index``), so every
match on the normalised text maps back to its exact span in the original.

Each table entry packs the mapped code point (21 bits) with flag bits saying what changed, which lets
the matcher say *which* evasion an occurrence used without looking at its characters one by one.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

__all__ = ["NOISE_GAP_MAX", "Normalised", "normalise", "normalise_keyword", "normalise_many", "stage_fold"]

NOISE_GAP_MAX = 3
"""Longest run of visible noise characters tolerated between two characters of one keyword."""

CODE_MASK = 0x1FFFFF
TRADITIONAL = 1 << 21  # t2s (or a variant table) changed the character
WIDTH = 1 << 22  # the compatibility fold changed it (full-width, circled digits, Kangxi radicals)
CASE = 1 << 23  # lower-casing changed it
NOISE = 1 << 24  # removed before matching
VISIBLE_NOISE = 1 << 25  # removed and counted towards the gap (zero-width, combining marks are free)
OTHER_NOISE = 1 << 26  # noise other than an ASCII space, the natural separator of pinyin syllables

TABLE_VERSION = "1"
"""Bump when the rules below change, so cached compiled matchers built with the old table are ignored."""

_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_FREE_NOISE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_NOISE_CATEGORIES = frozenset({"Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Cc"})
_TABLE_SIZE = 0x110000
_SCAN_LIMIT = 0x20000  # above this only CJK extensions, tags and private use: handled by ranges


def _opencc_pairs(name: str) -> dict[str, str]:
    text = resources.files("opencc").joinpath("dictionary", name).read_text(encoding="utf-8")
    pairs: dict[str, str] = {}
    for line in text.splitlines():
        source, _, targets = line.partition("\t")
        first = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(first) == 1 and source != first:
            pairs[source] = first
    return pairs


@functools.cache
def _t2s() -> dict[str, str]:
    """Traditional → simplified for single characters, with Taiwan/Hong Kong variant forms folded first."""
    ts = _opencc_pairs("TSCharacters.txt")
    mapping = dict(ts)
    for variants in ("TWVariantsRev.txt", "HKVariantsRev.txt"):
        for variant, standard in _opencc_pairs(variants).items():
            target = ts.get(standard, standard)
            if variant not in ts and target != variant:
                mapping[variant] = target
    return mapping


def _compat(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def _lower(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def stage_fold(ch: str) -> tuple[str, str, str]:
    """The character after each stage (compatibility, case, simplified), used to name an evasion."""
    width = _compat(ch)
    case = _lower(width)
    return width, case, _t2s().get(case, case)


def _entry(cp: int) -> int:
    ch = chr(cp)
    if ch in _BREAKS:
        return 0x0A
    width, case, simple = stage_fold(ch)
    category = unicodedata.category(width)  # after the fold: ⼈ (a Kangxi radical, "So") is the ideograph 人
    if category in _FREE_NOISE_CATEGORIES or 0x1F3FB <= cp <= 0x1F3FF:
        return NOISE | OTHER_NOISE | cp
    if category in _NOISE_CATEGORIES:
        return NOISE | VISIBLE_NOISE | (0 if ch == " " else OTHER_NOISE) | cp
    flags = (
        (WIDTH if width != ch else 0)
        | (CASE if case != width else 0)
        | (TRADITIONAL if simple != case else 0)
    )
    return flags | ord(simple)


_TABLE: list[npt.NDArray[np.int32]] = []


@functools.cache
def table_key() -> str:
    """What the table depends on: our rules, Unicode's data, OpenCC's tables (through the package version)."""
    from importlib.metadata import version

    return f"{TABLE_VERSION}-{unicodedata.unidata_version}-{version('opencc-python-reimplemented')}"


def table() -> npt.NDArray[np.int32]:
    """The packed lookup table for every code point, built once per process (≈0.3 s) or seeded from the
    compiled-matcher cache by ``use_table``."""
    if not _TABLE:
        _TABLE.append(build_table())
    return _TABLE[0]


def use_table(packed: npt.NDArray[np.int32]) -> None:
    """Adopt a table loaded from the cache (saves building it on a warm start)."""
    if not _TABLE and packed.shape == (_TABLE_SIZE,) and packed.dtype == np.int32:
        _TABLE.append(packed)


def build_table() -> npt.NDArray[np.int32]:
    out = np.arange(_TABLE_SIZE, dtype=np.int32)
    out[:_SCAN_LIMIT] = np.fromiter(
        (_entry(cp) for cp in range(_SCAN_LIMIT)), dtype=np.int32, count=_SCAN_LIMIT
    )
    for source, target in _t2s().items():
        if ord(source) >= _SCAN_LIMIT:
            out[ord(source)] = TRADITIONAL | ord(target)
    out[0xE0000:0xE0080] |= NOISE | OTHER_NOISE  # tag characters (emoji flags)
    out[0xE0100:0xE01F0] |= NOISE | OTHER_NOISE  # variation selectors supplement
    return out


@dataclass(frozen=True)
class Normalised:
    """A text after normalisation, with the way back to the original.

    ``index[i]`` is the code-point offset in the original of normalised character ``i``; ``packed`` is the
    table entry of every original code point (mapped character and flags), kept for span checks."""

    text: str
    index: npt.NDArray[np.int64]
    packed: npt.NDArray[np.int32]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original code-point span of normalised ``[start, end)`` (``end > start``)."""
        return int(self.index[start]), int(self.index[end - 1]) + 1


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def normalise(text: str) -> Normalised:
    """Normalise ``text`` in a few vectorised passes; offsets stay Unicode code points of the original."""
    packed = table()[_code_points(text)]
    index = np.flatnonzero((packed & NOISE) == 0)
    codes = (packed[index] & CODE_MASK).astype(np.uint32)
    return Normalised(codes.tobytes().decode("utf-32-le", "surrogatepass"), index, packed)


def normalise_keyword(keyword: str) -> str:
    """The literal a keyword is matched as: the same table as the text, so both sides fold alike."""
    return normalise(keyword).text


def normalise_many(words: list[str]) -> tuple[list[str], npt.NDArray[np.bool_]]:
    """Normalise many keywords in one vectorised pass (joined by ``\n``, which survives normalisation);
    also say which were written in a variant form themselves (traditional, full-width or upper case)."""
    if not words:
        return [], np.zeros(0, dtype=bool)
    norm = normalise("\n".join(words))
    literals = norm.text.split("\n")
    if len(literals) != len(words):  # a word with a line break of its own: fall back, one by one
        singles = [normalise(w) for w in words]
        flags = [bool(np.any(n.packed[n.index] & (TRADITIONAL | WIDTH | CASE))) for n in singles]
        return [n.text for n in singles], np.array(flags, dtype=bool)
    codes = norm.packed[norm.index]
    separator = (codes & CODE_MASK) == 0x0A
    word = np.cumsum(separator)
    flagged = ((codes & (TRADITIONAL | WIDTH | CASE)) != 0) & ~separator
    return literals, np.bincount(word[flagged], minlength=len(words)).astype(bool)[: len(words)]
