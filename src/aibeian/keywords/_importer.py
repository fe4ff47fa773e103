"""Building a library from plain word lists (one word a line) with a mapping from list to risk id.

Public lexicons come as files per category (色情词库.txt, 暴恐词库.txt …) whose categories are not the
risks of the standard; the mapping is the human judgement that connects them, kept in a reviewed YAML file
rather than in code. Lists often repeat words within and across files, so the importer keeps the first
occurrence of each normalised word and says how many it dropped.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.errors import InputError, Problem
from aibeian.files import load_structured, read_text
from aibeian.keywords._library import Keyword, Library
from aibeian.keywords._normalise import normalise_keyword
from aibeian.standards import load_standards

__all__ = ["ImportReport", "import_lists"]

MAP_HINT = "lists: {<list file name without .txt>: <risk id> or {risk: <id>, note: <text>}}"


@dataclass
class ImportReport:
    library: Library
    per_list: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    unusable: int = 0
    skipped_lists: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    risk: str
    note: str


def _read_map(path: str | os.PathLike[str]) -> tuple[dict[str, _Target | None], str, str, list[Problem]]:
    doc = load_structured(path)
    data = doc.data
    source = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise InputError(
            "the mapping needs a 'lists' table",
            path=source,
            line=doc.line_of(("lists",)) or 1,
            expected=MAP_HINT,
        )
    keyword_risks = {r.id for r in load_standards().keyword_risks()}
    problems: list[Problem] = []
    targets: dict[str, _Target | None] = {}
    for name, value in data["lists"].items():
        key = str(name).removesuffix(".txt")
        where: dict[str, Any] = {"path": source, "line": doc.line_of(("lists", name)), "field": str(name)}
        if value is None or value == "skip":
            targets[key] = None
            continue
        risk, note = (
            (value.get("risk"), str(value.get("note") or "")) if isinstance(value, dict) else (value, "")
        )
        if risk not in keyword_risks:
            problems.append(
                Problem(
                    f"{risk!r} is not a keyword risk id",
                    expected="A.1.1 … A.1.8, A.2.1 … A.2.9, or skip",
                    **where,
                )
            )
            targets[key] = None
            continue
        targets[key] = _Target(str(risk), note)
    added = data.get("added")
    if isinstance(added, dt.date):
        added = added.isoformat()
    return targets, str(data.get("source") or ""), str(added or ""), problems


def _lists(source: Path) -> list[Path]:
    if source.is_dir():
        files = sorted(
            p
            for p in source.iterdir()
            if p.is_file() and p.suffix.lower() in {".txt", ""} and not p.name.startswith(".")
        )
        if not files:
            raise InputError("no word lists (*.txt) in the folder", path=str(source))
        return files
    if not source.exists():
        raise InputError("file or folder not found", path=str(source))
    return [source]


def import_lists(source: str | os.PathLike[str], mapping: str | os.PathLike[str]) -> ImportReport:
    """Read every list under ``source`` through ``mapping``; raises InputError naming every unmapped list."""
    targets, source_note, added, problems = _read_map(mapping)
    files = _lists(Path(source))
    unmapped = [f for f in files if f.stem not in targets and f.name not in targets]
    if unmapped or problems:
        raise InputError(
            problems=problems
            + [
                Problem(
                    "this list is not in the mapping",
                    path=str(f),
                    expected=f"an entry '{f.stem}: <risk id>' (or '{f.stem}: skip') in {mapping}",
                )
                for f in unmapped
            ]
        )
    entries: list[Keyword] = []
    seen: set[str] = set()
    report = ImportReport(Library(()))
    for f in files:
        target = targets.get(f.stem, targets.get(f.name))
        if target is None:
            report.skipped_lists.append(f.name)
            continue
        count = 0
        for raw in read_text(f).splitlines():
            word = raw.strip()
            if not word:
                continue
            norm = normalise_keyword(word)
            if not norm:
                report.unusable += 1
                continue
            if norm in seen:
                report.duplicates += 1
                continue
            seen.add(norm)
            count += 1
            entries.append(
                Keyword(
                    word,
                    target.risk,
                    target.note,
                    added,
                    f"{source_note}:{f.name}" if source_note else f.name,
                )
            )
        report.per_list[f.name] = count
    report.library = Library(tuple(entries))
    return report
