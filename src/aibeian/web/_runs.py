"""Evaluation runs as the workbench shows them: the run folders under the configured directory, and an
item browser that pages ``items.jsonl`` without ever loading or rendering the whole run.

A small index per run (byte offset plus the filter fields of each item's latest record) is built in one
streaming pass and cached until the file changes; a page then reads only its own lines by offset. This is
a read-only view of the evaluation package's run directory format (DESIGN.md §5), not a second format.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibeian.errors import InputError
from aibeian.evaluation import RunDirectory

__all__ = ["ItemPage", "RunSummaryView", "item_page", "list_runs", "open_run"]

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
PAGE_SIZES = (25, 50, 100)


@dataclass(frozen=True)
class RunSummaryView:
    name: str
    status: str
    created: str
    target: str
    results: dict[str, Any] | None
    run: dict[str, Any]


@dataclass(frozen=True)
class _Entry:
    offset: int
    id: str
    outcome: str
    kind: str
    risk: str


@dataclass(frozen=True)
class ItemPage:
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    size: int
    facets: dict[str, list[str]]


_INDEX: dict[Path, tuple[tuple[int, int], list[_Entry]]] = {}
_LOCK = threading.Lock()


def open_run(root: Path, name: str) -> RunDirectory:
    """The run directory ``name`` under ``root``; names are checked so a URL cannot climb out of root."""
    if not _NAME.match(name) or name.startswith("."):
        raise LookupError(f"run {name!r}")
    run_dir = RunDirectory(root / name)
    if not run_dir.exists():
        raise LookupError(f"run {name!r}")
    return run_dir


def _summary(run_dir: RunDirectory) -> RunSummaryView:
    run = run_dir.read_run()
    spec = run.get("spec")
    target = spec.get("target") if isinstance(spec, dict) else None
    return RunSummaryView(
        name=run_dir.path.name,
        status=str(run.get("status", "?")),
        created=str(run.get("created") or ""),
        target=str(target.get("model") or "") if isinstance(target, dict) else "",
        results=run_dir.read_results(),
        run=run,
    )


def list_runs(root: Path) -> tuple[list[RunSummaryView], list[str]]:
    """The runs under ``root`` (newest first) and a message per folder that is not a readable run."""
    if not root.is_dir():
        return [], []
    runs, problems = [], []
    for path in sorted(root.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
        if not path.is_dir() or not (path / "run.json").is_file():
            continue
        try:
            runs.append(_summary(RunDirectory(path)))
        except InputError as exc:
            problems.append(str(exc))
    return runs, problems


def summary(run_dir: RunDirectory) -> RunSummaryView:
    return _summary(run_dir)


def _index(items: Path) -> list[_Entry]:
    stat = items.stat()
    key = (stat.st_size, stat.st_mtime_ns)
    with _LOCK:
        cached = _INDEX.get(items)
        if cached and cached[0] == key:
            return cached[1]
    latest: dict[str, _Entry] = {}
    offset = 0
    with items.open("rb") as f:
        for line in f:
            if line.strip():
                try:
                    rec = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    offset += len(line)
                    continue  # a torn last line: the evaluation package repairs it on resume
                rid = str(rec.get("id"))
                latest.pop(rid, None)  # keep the order of the latest record, as latest_records does
                latest[rid] = _Entry(
                    offset,
                    rid,
                    str(rec.get("outcome", "")),
                    str(rec.get("kind", "")),
                    str(rec.get("risk", "")),
                )
            offset += len(line)
    entries = list(latest.values())
    with _LOCK:
        _INDEX[items] = (key, entries)
    return entries


def item_page(run_dir: RunDirectory, *, page: int = 1, size: int = 50, filters: dict[str, str]) -> ItemPage:
    """One page of the latest record per item, filtered by outcome / kind / risk and an id substring."""
    size = size if size in PAGE_SIZES else 50
    if not run_dir.items_file.is_file():
        return ItemPage([], 0, 1, 1, size, {"outcome": [], "kind": [], "risk": []})
    entries = _index(run_dir.items_file)
    facets = {
        name: sorted({getattr(e, name) for e in entries if getattr(e, name)})
        for name in ("outcome", "kind", "risk")
    }
    chosen = [
        e
        for e in entries
        if all(not filters.get(n) or getattr(e, n) == filters[n] for n in ("outcome", "kind", "risk"))
        and (not filters.get("q") or filters["q"] in e.id)
    ]
    pages = max(1, -(-len(chosen) // size))
    page = min(max(1, page), pages)
    items = []
    with run_dir.items_file.open("rb") as f:
        for e in chosen[(page - 1) * size : page * size]:
            f.seek(e.offset)
            items.append(json.loads(f.readline()))
    return ItemPage(items, len(chosen), page, pages, size, facets)
