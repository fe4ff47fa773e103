"""Compiling a library into literal patterns for one automaton, and caching the result by content hash.

Every keyword becomes one literal (its normalised form) plus its pinyin spellings; allow-list phrases are
literals of the same automaton tagged "allow". With leftmost-longest matching an allow phrase that starts at
or before a keyword and covers it wins, which is exactly "never report this benign phrase" — with no second
pass. The automaton is daachorse's character-wise double-array Aho-Corasick: measured fastest of the Python
bindings on match-dense Chinese text (see docs/benchmarks.md), code-point offsets natively, and picklable,
so the compiled state is cached on disk keyed by everything that determines it and reloads in milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import daachorse
import numpy as np
import numpy.typing as npt

from aibeian.errors import AibeianError
from aibeian.files import atomic_write_bytes
from aibeian.keywords._library import AllowList, Library
from aibeian.keywords._normalise import (
    CODE_MASK,
    normalise,
    normalise_many,
    table,
    table_key,
    use_table,
)
from aibeian.keywords._pinyin import pinyin_literals

__all__ = ["ENGINE", "Compiled", "compile_patterns", "load_or_compile"]

ENGINE = "daachorse"
FORMAT_VERSION = "1"
ALLOW = -1
_LATIN = np.zeros(CODE_MASK + 1, dtype=bool)
_LATIN[ord("a") : ord("z") + 1] = True
_LATIN[ord("0") : ord("9") + 1] = True


def is_word(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether normalised code points are Latin letters or digits (what a Latin word boundary is about)."""
    found: npt.NDArray[np.bool_] = _LATIN[codes & CODE_MASK]
    return found


@dataclass
class Compiled:
    """Everything the matcher needs, picklable: automata plus per-pattern and per-keyword arrays."""

    key: str
    longest: Any  # daachorse automaton, leftmost-longest
    overlapping: Any  # daachorse automaton, standard (every match), used to repair rejected spans
    pattern_keyword: npt.NDArray[np.int32]  # keyword index, or ALLOW
    pattern_pinyin: npt.NDArray[np.bool_]
    pattern_latin_start: npt.NDArray[np.bool_]
    pattern_latin_end: npt.NDArray[np.bool_]
    keywords: list[tuple[str, str]]  # (keyword as written, risk)
    keyword_recheck: npt.NDArray[np.bool_]  # the keyword itself is traditional / full-width / upper-case
    patterns: int


def cache_key(library: Library, allow: AllowList, pinyin: bool) -> str:
    digest = hashlib.sha256()
    for part in (
        FORMAT_VERSION,
        table_key(),
        ENGINE,
        str(pinyin),
        library.content_hash,
        *allow.phrases,
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def compile_patterns(library: Library, allow: AllowList, *, pinyin: bool = True) -> Compiled:
    """Build the automata. Patterns are deduplicated; the first owner of a literal keeps it (allow-list
    phrases first, then keywords in file order, then pinyin spellings), so each occurrence has one keyword."""
    owner: dict[str, tuple[int, bool]] = {}
    for phrase in allow.phrases:
        literal = normalise(phrase).text
        if literal:
            owner.setdefault(literal, (ALLOW, False))
    entries = [e for e in library.entries]
    normalised, variants = normalise_many([e.keyword for e in entries])
    keywords: list[tuple[str, str]] = []
    recheck: list[bool] = []
    literals: list[str] = []
    for entry, literal, variant in zip(entries, normalised, variants.tolist(), strict=True):
        if not literal:
            continue
        index = len(keywords)
        keywords.append((entry.keyword, entry.risk))
        recheck.append(variant)
        literals.append(literal)
        held = owner.get(literal)
        if held is None or (held[0] != ALLOW and recheck[held[0]] and not variant):
            owner[literal] = (index, False)  # of 臺灣 and 台湾 report the plain form: cheaper and clearer
    if pinyin:
        for index, literal in enumerate(literals):
            for spelling in pinyin_literals(literal):
                owner.setdefault(spelling, (index, True))
    patterns = list(owner)
    if not patterns:
        patterns, owner = ["\0"], {"\0": (ALLOW, False)}  # an automaton needs one pattern; NUL never matches
    first = np.array([ord(p[0]) for p in patterns], dtype=np.int64)
    last = np.array([ord(p[-1]) for p in patterns], dtype=np.int64)
    return Compiled(
        key=cache_key(library, allow, pinyin),
        longest=daachorse.CharwiseDoubleArrayAhoCorasick(patterns, daachorse.MATCH_KIND_LEFTMOST_LONGEST),
        overlapping=daachorse.CharwiseDoubleArrayAhoCorasick(patterns),
        pattern_keyword=np.array([owner[p][0] for p in patterns], dtype=np.int32),
        pattern_pinyin=np.array([owner[p][1] for p in patterns], dtype=bool),
        pattern_latin_start=is_word(first),
        pattern_latin_end=is_word(last),
        keywords=keywords,
        keyword_recheck=np.array(recheck, dtype=bool),
        patterns=len(patterns),
    )


def load_or_compile(library: Library, allow: AllowList, *, pinyin: bool, cache_dir: Path | None) -> Compiled:
    """Reuse ``cache_dir/matcher/<key>.pickle`` when present; a stale or corrupt file is simply rebuilt.

    The cache holds only what we wrote there ourselves (the user's own aibeian home), keyed by a hash of
    the library, allow-list, table and format versions, so a changed library can never hit an old entry."""
    key = cache_key(library, allow, pinyin)
    path = cache_dir / "matcher" / f"{key}.pickle" if cache_dir is not None else None
    if cache_dir is not None:
        _table_from_cache(cache_dir / "matcher" / f"table-{table_key()}.npy")
    if path is not None and path.is_file():
        with contextlib.suppress(Exception), open(path, "rb") as fh:
            cached = pickle.load(fh)
            if isinstance(cached, Compiled) and cached.key == key:
                return cached
    compiled = compile_patterns(library, allow, pinyin=pinyin)
    if cache_dir is not None:
        _table_to_cache(cache_dir / "matcher" / f"table-{table_key()}.npy")
    if path is not None:
        with contextlib.suppress(OSError, AibeianError):
            os.makedirs(path.parent, exist_ok=True)
            atomic_write_bytes(path, pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
    return compiled


def _table_from_cache(path: Path) -> None:
    if path.is_file():
        with contextlib.suppress(Exception):
            use_table(np.load(path, allow_pickle=False))


def _table_to_cache(path: Path) -> None:
    if not path.is_file():
        with contextlib.suppress(OSError, AibeianError):
            os.makedirs(path.parent, exist_ok=True)
            buffer = io.BytesIO()
            np.save(buffer, table(), allow_pickle=False)
            atomic_write_bytes(path, buffer.getvalue())
