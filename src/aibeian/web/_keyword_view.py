"""The keyword screen's view of the library: which library is shown (the working file or a release), its
coverage (``check_library``), the release history (``ReleaseStore``), and the try-the-matcher box's
highlighted segments — over the keywords package, with loading and compiling cached per content version.

Spans come from ``Matcher.find`` in code points of the original text; Python slices strings by code point,
so cutting the text at those offsets is exact for any character (CJK, astral emoji, combining marks). The
segments are plain strings: the template escapes them, never this module.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from aibeian.errors import InputError
from aibeian.keywords import AllowList, Library, Match, Matcher, ReleaseStore
from aibeian.settings import Settings

__all__ = [
    "EVASION_LABELS",
    "MAX_TRY_CHARS",
    "LibraryChoice",
    "Segment",
    "choose_library",
    "matcher_for",
    "segments",
]

MAX_TRY_CHARS = 20_000
"""The try box is for a sentence or a page; whole files go through ``aibeian keywords scan``."""

EVASION_LABELS: dict[str, tuple[str, str]] = {
    "traditional": ("繁体字", "traditional characters"),
    "fullwidth": ("全角字符", "full-width characters"),
    "case": ("大小写", "letter case"),
    "noise": ("插入符号/空格", "inserted symbols or spaces"),
    "pinyin": ("拼音", "pinyin"),
}

_LOCK = threading.Lock()
_LIBRARIES: dict[Path, tuple[tuple[int, int], Library]] = {}
_ALLOWS: dict[Path, tuple[tuple[int, int], AllowList]] = {}
_MATCHERS: dict[tuple[str, tuple[str, ...]], Matcher] = {}


@dataclass(frozen=True)
class LibraryChoice:
    """The library on screen: ``version`` is ``"working"`` or a release version."""

    library: Library
    version: str
    path: Path
    allow: AllowList


def _stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return (st.st_size, st.st_mtime_ns)


def _load_library(path: Path) -> Library:
    key = _stat_key(path)
    with _LOCK:
        cached = _LIBRARIES.get(path)
        if cached and cached[0] == key:
            return cached[1]
    library = Library.load(path)
    with _LOCK:
        _LIBRARIES[path] = (key, library)
    return library


def load_allow(path: Path) -> AllowList:
    if not path.is_file():
        return AllowList(())
    key = _stat_key(path)
    with _LOCK:
        cached = _ALLOWS.get(path)
        if cached and cached[0] == key:
            return cached[1]
    allow = AllowList.load(path)
    with _LOCK:
        _ALLOWS[path] = (key, allow)
    return allow


def choose_library(settings: Settings, version: str = "") -> LibraryChoice | None:
    """``version`` "" means the working library if it exists, else the latest release; None: nothing yet."""
    library_path, allow_path, store_dir = settings.keyword_paths()
    allow = load_allow(allow_path)
    if version in ("", "working") and library_path.is_file():
        return LibraryChoice(_load_library(library_path), "working", library_path, allow)
    if version == "working":
        raise LookupError(f"working keyword library {library_path}")
    store = ReleaseStore(store_dir)
    if not store.releases():
        return None
    try:
        release = store.get(version or "latest")
    except InputError as exc:
        raise LookupError(str(exc)) from None
    return LibraryChoice(_load_library(release.library_path), release.version, release.library_path, allow)


def matcher_for(choice: LibraryChoice, cache_dir: Path) -> Matcher:
    """The compiled matcher of the chosen library and allow-list, kept in memory per content version (and
    on disk under the cache folder, so a restart does not recompile)."""
    key = (choice.library.content_hash, choice.allow.phrases)
    with _LOCK:
        cached = _MATCHERS.get(key)
    if cached is not None:
        return cached
    matcher = Matcher.compile(choice.library, choice.allow, cache_dir=cache_dir)
    with _LOCK:
        if len(_MATCHERS) > 8:
            _MATCHERS.clear()
        _MATCHERS[key] = matcher
    return matcher


@dataclass(frozen=True)
class Segment:
    text: str
    match: Match | None = None
    number: int = 0  # 1-based match number, shown next to the highlight and in the table


def segments(text: str, matches: list[Match]) -> list[Segment]:
    """The text cut into plain and matched pieces by the matches' code-point spans."""
    out: list[Segment] = []
    cursor = 0
    for number, m in enumerate(sorted(matches, key=lambda m: (m.start, -m.end)), start=1):
        if m.start < cursor:  # the matcher reports non-overlapping spans; never emit text twice anyway
            continue
        if m.start > cursor:
            out.append(Segment(text[cursor : m.start]))
        out.append(Segment(text[m.start : m.end], m, number))
        cursor = m.end
    if cursor < len(text):
        out.append(Segment(text[cursor:]))
    return out
