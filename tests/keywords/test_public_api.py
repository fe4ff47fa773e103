"""The public names of aibeian.keywords are pinned: adding or removing one is a deliberate change."""

from __future__ import annotations

from aibeian import keywords


def test_public_api_is_pinned() -> None:
    assert sorted(keywords.__all__) == sorted(
        [
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
    )
    for name in keywords.__all__:
        assert getattr(keywords, name) is not None
