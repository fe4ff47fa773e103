"""Compiling a library into literal patterns for one automaton, and caching the result by content hash.

Every keyword becomes one literal (its normalised form) plus its pinyin spellings; allow-list phrases are
literals of the same automaton tagged "allow". With leftmost-longest matching an allow phrase that starts at
or before a keyword and covers it wins, which is exactly "never report this benign phrase" — with no second
pass. Two engines hold the same literals:

- ``native``: our C extension (``_cmatch``, built by ``pip install`` when a C compiler is present): a
  double-array trie over the normalised code points, walked in the same pass that normalises the text;
  no Python object per character or candidate. Measured several times faster than the bindings on
  match-dense Chinese text (docs/benchmarks.md).
- ``daachorse``: the pure-Python fallback (numpy + daachorse's character-wise double-array Aho-Corasick),
  the fastest binding we measured; used when the extension is absent or ``AIBEIAN_MATCHER_ENGINE=daachorse``.

Both are picklable, so the compiled state is cached on disk keyed by everything that determines it (the
engine included) and reloads in milliseconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import daachorse
import numpy as np
import numpy.typing as npt

from aibeian.errors import AibeianError, InputError
from aibeian.files import atomic_write_bytes
from aibeian.keywords._normalise import (
    CODE_MASK,
    NOISE_GAP_MAX,
    normalise,
    normalise_many,
    table,
    table_key,
    use_table,
)

if TYPE_CHECKING:  # a worker loading a compiled matcher needs neither the CSV parser nor pinyin
    from aibeian.keywords._library import AllowList, Library

NATIVE_FORMAT = 1
"""The interface of _native/cmatch.c this module speaks (its ``FORMAT``); a stale build is not used."""

try:  # the compiled extension is optional: without a C compiler the pure-Python path does the same work
    from aibeian.keywords import _cmatch
except ImportError:  # pragma: no cover - exercised on machines without the extension
    _cmatch = None  # type: ignore[assignment]
if _cmatch is not None and getattr(_cmatch, "FORMAT", None) != NATIVE_FORMAT:  # pragma: no cover
    _cmatch = None  # type: ignore[assignment]  # built from an older source: reinstall to rebuild it

__all__ = [
    "ENGINE",
    "ENGINES",
    "Compiled",
    "NativeTrie",
    "choose_engine",
    "compile_patterns",
    "keep_table",
    "load_or_compile",
    "native_scanner",
    "seed_table",
    "table_file",
]

NATIVE = "native"
FALLBACK = "daachorse"
ENGINES = (NATIVE, FALLBACK) if _cmatch is not None else (FALLBACK,)
"""Engines available in this installation, preferred first."""
ENV_ENGINE = "AIBEIAN_MATCHER_ENGINE"
FORMAT_VERSION = "2"
ALLOW = -1

# per-pattern flags shared with _native/cmatch.c
LATIN_START, LATIN_END, PINYIN, RECHECK = 1, 2, 4, 8
_LATIN = np.zeros(CODE_MASK + 1, dtype=bool)
_LATIN[ord("a") : ord("z") + 1] = True
_LATIN[ord("0") : ord("9") + 1] = True


def choose_engine(engine: str | None = None) -> str:
    """The engine to use: the one asked for (argument, else ``AIBEIAN_MATCHER_ENGINE``), else the fastest
    installed. Asking for the native engine where it was not built is an error, not a silent fallback."""
    wanted = engine or os.environ.get(ENV_ENGINE) or ENGINES[0]
    if wanted not in (NATIVE, FALLBACK):
        raise InputError(
            f"unknown matcher engine {wanted!r}; choose {NATIVE} or {FALLBACK}", field=ENV_ENGINE
        )
    if wanted not in ENGINES:
        raise InputError(
            "the native matcher extension is not built in this installation (reinstall with a C compiler: "
            "pip install -e .)",
            field=ENV_ENGINE,
        )
    return wanted


ENGINE: str = ENGINES[0]
"""The engine ``Matcher.compile`` uses by default here (``native`` when the C extension is built)."""


def is_word(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether normalised code points are Latin letters or digits (what a Latin word boundary is about)."""
    found: npt.NDArray[np.bool_] = _LATIN[codes & CODE_MASK]
    return found


@dataclass(frozen=True)
class NativeTrie:
    """The C engine's double-array trie as plain arrays (picklable; the C scanner copies them)."""

    alphabet: npt.NDArray[np.uint32]  # code point of class k + 1
    base: npt.NDArray[np.int32]
    check: npt.NDArray[np.int32]
    value: npt.NDArray[np.int32]  # pattern id ending at a slot, or -1

    @classmethod
    def build(cls, literals: list[str]) -> NativeTrie:
        alphabet, base, check, value = _cmatch.build(literals)
        return cls(
            np.frombuffer(alphabet, dtype=np.uint32),
            np.frombuffer(base, dtype=np.int32),
            np.frombuffer(check, dtype=np.int32),
            np.frombuffer(value, dtype=np.int32),
        )


@dataclass
class Compiled:
    """Everything the matcher needs, picklable: automata plus per-pattern and per-keyword arrays."""

    key: str
    engine: str
    longest: Any  # daachorse automaton, leftmost-longest (fallback engine only)
    overlapping: Any  # daachorse automaton, standard (every match), used to repair rejected spans (fallback)
    trie: NativeTrie | None  # native engine only
    literals: list[str]  # pattern id -> normalised literal
    pattern_flags: npt.NDArray[np.uint8]  # LATIN_START | LATIN_END | PINYIN | RECHECK
    pattern_keyword: npt.NDArray[np.int32]  # keyword index, or ALLOW
    pattern_pinyin: npt.NDArray[np.bool_]
    pattern_latin_start: npt.NDArray[np.bool_]
    pattern_latin_end: npt.NDArray[np.bool_]
    keywords: list[tuple[str, str]]  # (keyword as written, risk)
    keyword_recheck: npt.NDArray[np.bool_]  # the keyword itself is traditional / full-width / upper-case
    patterns: int


def cache_key(library: Library, allow: AllowList, pinyin: bool, engine: str = ENGINE) -> str:
    digest = hashlib.sha256()
    for part in (
        FORMAT_VERSION,
        table_key(),
        engine,
        str(pinyin),
        library.content_hash,
        *allow.phrases,
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def compile_patterns(
    library: Library, allow: AllowList, *, pinyin: bool = True, engine: str | None = None
) -> Compiled:
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
        from aibeian.keywords._pinyin import pinyin_literals

        for index, literal in enumerate(literals):
            for spelling in pinyin_literals(literal):
                owner.setdefault(spelling, (index, True))
    patterns = list(owner)
    if not patterns:
        patterns, owner = ["\0"], {"\0": (ALLOW, False)}  # an automaton needs one pattern; NUL never matches
    engine = choose_engine(engine)
    first = np.array([ord(p[0]) for p in patterns], dtype=np.int64)
    last = np.array([ord(p[-1]) for p in patterns], dtype=np.int64)
    pattern_keyword = np.array([owner[p][0] for p in patterns], dtype=np.int32)
    pattern_pinyin = np.array([owner[p][1] for p in patterns], dtype=bool)
    keyword_recheck = np.array(recheck, dtype=bool)
    latin_start, latin_end = is_word(first), is_word(last)
    variant = np.zeros(len(patterns), dtype=bool)
    if len(keyword_recheck):
        variant = (pattern_keyword != ALLOW) & keyword_recheck[np.maximum(pattern_keyword, 0)]
    flags = (
        np.where(latin_start, LATIN_START, 0)
        | np.where(latin_end, LATIN_END, 0)
        | np.where(pattern_pinyin, PINYIN, 0)
        | np.where(variant, RECHECK, 0)
    ).astype(np.uint8)
    native = engine == NATIVE
    return Compiled(
        key=cache_key(library, allow, pinyin, engine),
        engine=engine,
        longest=None
        if native
        else daachorse.CharwiseDoubleArrayAhoCorasick(patterns, daachorse.MATCH_KIND_LEFTMOST_LONGEST),
        overlapping=None if native else daachorse.CharwiseDoubleArrayAhoCorasick(patterns),
        trie=NativeTrie.build(patterns) if native else None,
        literals=patterns,
        pattern_flags=flags,
        pattern_keyword=pattern_keyword,
        pattern_pinyin=pattern_pinyin,
        pattern_latin_start=latin_start,
        pattern_latin_end=latin_end,
        keywords=keywords,
        keyword_recheck=keyword_recheck,
        patterns=len(patterns),
    )


def native_scanner(
    compiled: Compiled,
    match_type: type[tuple[object, ...]],
    names: tuple[tuple[str, ...], ...],
    namer: Callable[[str, int, int, int], int],
) -> _cmatch.Scanner:
    """The C engine's scanner for a compiled library: it copies the arrays, so the pickle stays plain."""
    trie = compiled.trie
    if trie is None or _cmatch is None:
        raise AibeianError("this compiled library is not for the native engine")
    return _cmatch.Scanner(
        table(),
        trie.alphabet,
        trie.base,
        trie.check,
        trie.value,
        compiled.pattern_keyword,
        compiled.pattern_flags,
        NOISE_GAP_MAX,
        match_type,
        tuple(compiled.keywords),
        names,
        tuple(compiled.literals),
        namer,
    )


def load_or_compile(
    library: Library,
    allow: AllowList,
    *,
    pinyin: bool,
    cache_dir: Path | None,
    engine: str | None = None,
) -> Compiled:
    """Reuse ``cache_dir/matcher/<key>.pickle`` when present; a stale or corrupt file is simply rebuilt.

    The cache holds only what we wrote there ourselves (the user's own aibeian home), keyed by a hash of
    the library, allow-list, table, engine and format versions, so a changed library can never hit an old
    entry."""
    engine = choose_engine(engine)
    key = cache_key(library, allow, pinyin, engine)
    path = cache_dir / "matcher" / f"{key}.pickle" if cache_dir is not None else None
    if cache_dir is not None:
        seed_table(cache_dir)
    if path is not None and path.is_file():
        with contextlib.suppress(Exception), open(path, "rb") as fh:
            cached = pickle.load(fh)
            if isinstance(cached, Compiled) and cached.key == key:
                return cached
    compiled = compile_patterns(library, allow, pinyin=pinyin, engine=engine)
    if cache_dir is not None:
        _table_to_cache(table_file(cache_dir))
    if path is not None:
        with contextlib.suppress(OSError, AibeianError):
            os.makedirs(path.parent, exist_ok=True)
            atomic_write_bytes(path, pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))
    return compiled


def table_file(cache_dir: Path) -> Path:
    """Where a cache keeps the normalisation table (for this Unicode, OpenCC and rules version)."""
    return cache_dir / "matcher" / f"table-{table_key()}.npy"


def seed_table(cache_dir: str | os.PathLike[str]) -> None:
    """Load the normalisation table from ``cache_dir`` if it is there: building it costs ≈0.1 s of Python
    per process, which a scan's worker processes and every command that loads a library would each pay."""
    _table_from_cache(table_file(Path(cache_dir)))


def keep_table(cache_dir: str | os.PathLike[str]) -> None:
    """Store this process's table in ``cache_dir`` unless it is there already (so workers can seed theirs)."""
    _table_to_cache(table_file(Path(cache_dir)))


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
