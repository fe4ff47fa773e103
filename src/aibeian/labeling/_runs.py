"""The run directory of a label batch (DESIGN.md §5): ``run.json`` + ``items.jsonl``, resumable by file.

``items.jsonl`` gets one complete line per file, flushed as the file completes, so an interrupted batch loses
at most the file in flight; running the same command with the same ``--run-dir`` skips what is recorded and
ends with the same results. The report is rebuilt from the directory alone (``aibeian label report``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aibeian import __version__
from aibeian.errors import InputError
from aibeian.files import atomic_write_text
from aibeian.standards import load_standards

__all__ = ["ITEMS_FILE", "RUN_FILE", "LabelRun", "load_run"]

RUN_FILE = "run.json"
ITEMS_FILE = "items.jsonl"
RUN_VERSION = 1


def _read_items(path: Path) -> dict[str, dict[str, Any]]:
    done: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return done
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the line being written when the run stopped; that file is redone
        if isinstance(record, dict) and "id" in record:
            done[str(record.pop("id"))] = record
    return done


class LabelRun:
    """One batch's record on disk. Arguments must match to resume, so a resumed run is the same run."""

    def __init__(self, directory: Path, *, command: str, arguments: dict[str, Any]) -> None:
        self.directory = directory
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the run folder ({exc.strerror})", path=str(directory)) from exc
        run_file = directory / RUN_FILE
        self.spec: dict[str, Any] = {
            "kind": f"label-{command}",
            "version": RUN_VERSION,
            "aibeian": __version__,
            "standard": load_standards().labeling.get("standard", ""),
            "arguments": arguments,
        }
        if run_file.exists():
            old = json.loads(run_file.read_text(encoding="utf-8"))
            same = {k: old.get(k) for k in ("kind", "arguments")} == {
                k: self.spec[k] for k in ("kind", "arguments")
            }
            if not same:
                raise InputError(
                    "this run folder belongs to a different command or arguments; use a new "
                    "--run-dir / 运行目录与参数不符",
                    path=str(run_file),
                )
            self.started = str(old.get("started"))
        else:
            self.started = datetime.now(UTC).isoformat(timespec="seconds")
        items = directory / ITEMS_FILE
        if items.exists():
            data = items.read_bytes()
            if data and not data.endswith(b"\n"):  # drop the half-written line of an interrupted run
                items.write_bytes(data[: data.rfind(b"\n") + 1])
        self.done = _read_items(items)
        self._write_run("running")
        self._items = (directory / ITEMS_FILE).open("a", encoding="utf-8")

    def _write_run(self, status: str, counts: dict[str, int] | None = None) -> None:
        data = {
            **self.spec,
            "status": status,
            "started": self.started,
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": counts or {},
        }
        atomic_write_text(self.directory / RUN_FILE, json.dumps(data, ensure_ascii=False, indent=2) + "\n")

    def record(self, item_id: str, record: dict[str, Any]) -> None:
        self._items.write(json.dumps({"id": item_id, **record}, ensure_ascii=False) + "\n")
        self._items.flush()
        self.done[item_id] = record

    def finish(self, counts: dict[str, int]) -> None:
        self._items.close()
        self._write_run("complete", counts)


def load_run(directory: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``run.json`` and the item records (latest per id, in first-seen order) of a run folder."""
    run_file = directory / RUN_FILE
    if not run_file.exists():
        raise InputError("not a label run folder (no run.json)", path=str(directory))
    run = json.loads(run_file.read_text(encoding="utf-8"))
    return run, list(_read_items(directory / ITEMS_FILE).values())
