"""Keyword library (versions, coverage, releases), normalisation and the evasion-resistant matcher.

``Library.load(path)`` → ``check_library`` for coverage against the spec, ``ReleaseStore`` for dated
releases (the weekly-update evidence), ``Matcher.compile(library, allow=…)`` → ``matcher.find(text)``.
``ENGINE`` is the matcher engine used by default here (``native``: the C extension; ``daachorse``: the
pure-Python fallback), ``ENGINES`` every engine installed.
"""

from typing import TYPE_CHECKING

from aibeian._lazy import lazy_exports

if TYPE_CHECKING:
    from aibeian.keywords._compiled import ENGINE, ENGINES
    from aibeian.keywords._coverage import Coverage, check_library
    from aibeian.keywords._diff import LibraryDiff, diff_libraries
    from aibeian.keywords._importer import ImportReport, import_lists
    from aibeian.keywords._library import AllowList, Finding, Keyword, Library
    from aibeian.keywords._matcher import EVASIONS, Match, Matcher, Spans
    from aibeian.keywords._normalise import NOISE_GAP_MAX, Normalised, normalise, normalise_keyword
    from aibeian.keywords._releases import Gap, History, Release, ReleaseStore
    from aibeian.keywords._scan import scan_paths, scan_stream

__all__ = [
    "ENGINE",
    "ENGINES",
    "EVASIONS",
    "NOISE_GAP_MAX",
    "AllowList",
    "Coverage",
    "Finding",
    "Gap",
    "History",
    "ImportReport",
    "Keyword",
    "Library",
    "LibraryDiff",
    "Match",
    "Matcher",
    "Normalised",
    "Release",
    "ReleaseStore",
    "Spans",
    "check_library",
    "diff_libraries",
    "import_lists",
    "normalise",
    "normalise_keyword",
    "scan_paths",
    "scan_stream",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "ENGINE": "_compiled",
        "ENGINES": "_compiled",
        "Coverage": "_coverage",
        "check_library": "_coverage",
        "LibraryDiff": "_diff",
        "diff_libraries": "_diff",
        "ImportReport": "_importer",
        "import_lists": "_importer",
        "AllowList": "_library",
        "Finding": "_library",
        "Keyword": "_library",
        "Library": "_library",
        "EVASIONS": "_matcher",
        "Match": "_matcher",
        "Matcher": "_matcher",
        "Spans": "_matcher",
        "NOISE_GAP_MAX": "_normalise",
        "Normalised": "_normalise",
        "normalise": "_normalise",
        "normalise_keyword": "_normalise",
        "Gap": "_releases",
        "History": "_releases",
        "Release": "_releases",
        "ReleaseStore": "_releases",
        "scan_paths": "_scan",
        "scan_stream": "_scan",
    },
)
