"""The corpus manual-review screen's view of a run directory: which runs can be reviewed, where a reviewer
resumes, and the progress and agreement figures — all read from the corpus package's files.

A reviewer works in one of two passes. The *first* pass gives each drawn item its primary verdict (the one
``aibeian corpus report`` counts); the *second* pass has another reviewer judge items someone else already
judged, blind to that verdict, for the agreement figures. Where a reviewer resumes is derived from the run
directory itself (the first item of their pass still waiting for them), so it survives restarts, other
devices and the CLI importing verdicts in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from aibeian.corpus import RunDir, manual_summary, thresholds
from aibeian.corpus._review import SAMPLE_FILE
from aibeian.corpus._review_store import Agreement, ReviewState, agreement, load_sample, review_state
from aibeian.errors import InputError

__all__ = [
    "MODES",
    "CorpusRunView",
    "Mode",
    "ReviewProgress",
    "has_sample",
    "list_corpus_runs",
    "load_sample",
    "next_index",
    "open_corpus_run",
    "progress",
    "quick_summary",
    "remaining",
    "review_state",
    "waiting",
]

Mode = Literal["first", "second"]
MODES: tuple[Mode, ...] = ("first", "second")
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


@dataclass(frozen=True)
class ReviewProgress:
    """``manual_summary`` (progress toward the spec's minimum, the qualified rate) plus the agreement."""

    summary: dict[str, Any]
    agreement: Agreement
    per_reviewer: dict[str, int]


@dataclass(frozen=True)
class CorpusRunView:
    name: str
    status: str
    created: str
    has_sample: bool
    progress: ReviewProgress | None
    problem: str | None = None


def open_corpus_run(root: Path, name: str) -> RunDir:
    """The run ``name`` under ``root``; names are checked so a URL cannot climb out of the folder."""
    if not _NAME.match(name) or name.startswith("."):
        raise LookupError(f"corpus run {name!r}")
    run = RunDir(root / name)
    if not run.exists():
        raise LookupError(f"corpus run {name!r}")
    return run


def has_sample(run: RunDir) -> bool:
    return (run.path / SAMPLE_FILE).is_file()


def quick_summary(sample: list[dict[str, Any]], state: ReviewState) -> dict[str, Any]:
    """The counting part of ``manual_summary`` from the cached sample, for the per-item page: the full
    summary re-parses the whole sample file (7 MB at 4,000 long items, ~0.14 s), too slow per key press.
    A test checks that both give the same figures."""
    from aibeian.evaluation.metrics import wilson_interval

    limits = thresholds()
    reviews = [state.primary[str(r["id"])] for r in sample if str(r["id"]) in state.primary]
    qualified = sum(1 for r in reviews if r["qualified"])
    low, high = wilson_interval(qualified, len(reviews))
    return {
        "drawn": len(sample),
        "reviewed": len(reviews),
        "qualified": qualified,
        "rate": qualified / len(reviews) if reviews else None,
        "interval": [low, high],
        "min_items": int(limits["corpus_manual_sample_min_items"]),
        "min_pass_rate": limits["corpus_manual_sample_min_pass_rate"],
    }


def progress(
    run: RunDir, state: ReviewState | None = None, sample: list[dict[str, Any]] | None = None
) -> ReviewProgress:
    """Progress and agreement; with ``sample`` (the cached one) the quick summary is used."""
    state = state or review_state(run)
    counts: dict[str, int] = {}
    for verdicts in state.by_reviewer.values():
        for name in verdicts:
            counts[name] = counts.get(name, 0) + 1
    for record in state.primary.values():  # imported verdicts have no log entry
        name = str(record.get("reviewer") or "")
        if name not in state.by_reviewer.get(str(record["id"]), {}):
            counts[name or "(import)"] = counts.get(name or "(import)", 0) + 1
    summary = quick_summary(sample, state) if sample is not None else manual_summary(run, thresholds())
    return ReviewProgress(summary, agreement(state), dict(sorted(counts.items())))


def list_corpus_runs(root: Path) -> list[CorpusRunView]:
    """The scan runs under ``root``, newest first; a folder that is not a readable run says why."""
    if not root.is_dir():
        return []
    views = []
    for path in sorted(root.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
        if not path.is_dir() or not (path / "run.json").is_file():
            continue
        run = RunDir(path)
        try:
            meta = run.meta()
            has_sample = (path / SAMPLE_FILE).is_file()
            views.append(
                CorpusRunView(
                    path.name,
                    str(meta.get("status", "?")),
                    str(meta.get("created", "")),
                    has_sample,
                    progress(run) if has_sample else None,
                )
            )
        except (InputError, ValueError, KeyError) as exc:
            views.append(CorpusRunView(path.name, "?", "", False, None, problem=str(exc)))
    return views


def waiting(state: ReviewState, item_id: str, reviewer: str, mode: Mode) -> bool:
    """Whether the item still waits for ``reviewer`` in this pass."""
    if mode == "first":
        return item_id not in state.primary
    first = state.primary.get(item_id)
    return (
        first is not None
        and str(first.get("reviewer") or "") != reviewer
        and state.second(item_id) is None
        and state.reviewed_by(item_id, reviewer) is None
    )


def next_index(
    sample: list[dict[str, Any]],
    state: ReviewState,
    reviewer: str,
    mode: Mode,
    after: int = -1,
    skip: set[str] | frozenset[str] = frozenset(),
) -> int | None:
    """The first item after ``after`` (wrapping round) still waiting for the reviewer, preferring items not
    in ``skip`` (those another reviewer has on screen); None when nothing waits."""
    n = len(sample)
    fallback = None
    for step in range(1, n + 1):
        i = (after + step) % n
        item_id = str(sample[i]["id"])
        if waiting(state, item_id, reviewer, mode):
            if item_id not in skip:
                return i
            fallback = i if fallback is None else fallback
    return fallback


def remaining(sample: list[dict[str, Any]], state: ReviewState, reviewer: str, mode: Mode) -> int:
    return sum(1 for r in sample if waiting(state, str(r["id"]), reviewer, mode))
