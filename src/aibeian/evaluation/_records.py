"""The run directory (DESIGN.md §5): ``run.json``, ``items.jsonl``, ``results.json``.

``items.jsonl`` is appended and flushed one complete item at a time, so a crash loses at most the item being
written; a torn last line (killed mid-write) is cut off on resume. ``run.json`` and ``results.json`` are
replaced atomically. Reports are built from this directory alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from aibeian.errors import InputError
from aibeian.files import atomic_write_text
from aibeian.processes import pid_alive

RUN_FORMAT = "aibeian.run/1"
RUN_FILE = "run.json"
ITEMS_FILE = "items.jsonl"
RESULTS_FILE = "results.json"
LOCK_FILE = ".lock"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


_SPEC_KEYS = ("banks", "target", "judges")  # what reports and resume read


class RunDirectory:
    """One evaluation run on disk."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._items: IO[str] | None = None

    @property
    def run_file(self) -> Path:
        return self.path / RUN_FILE

    @property
    def items_file(self) -> Path:
        return self.path / ITEMS_FILE

    @property
    def results_file(self) -> Path:
        return self.path / RESULTS_FILE

    def exists(self) -> bool:
        return self.run_file.is_file()

    def read_run(self) -> dict[str, Any]:
        try:
            data = json.loads(self.run_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("not a run directory (no run.json)", path=str(self.path)) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed run.json: {exc.msg}", path=str(self.run_file), line=exc.lineno
            ) from None
        if not isinstance(data, dict) or data.get("format") != RUN_FORMAT:
            raise InputError(
                "run.json is not an aibeian run record", path=str(self.run_file), expected=RUN_FORMAT
            )
        spec = data.get("spec")
        missing = [k for k in _SPEC_KEYS if not isinstance(spec, dict) or k not in spec]
        if missing:  # a hand-edited or truncated record: say so instead of a KeyError deep in a report
            raise InputError(
                "run.json is incomplete: spec." + ", spec.".join(missing) + " missing",
                path=str(self.run_file),
                field="spec",
                expected="the run.json that aibeian eval run wrote",
            )
        return data

    def write_run(self, data: dict[str, Any]) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.run_file, _dump(data))

    def write_results(self, data: dict[str, Any]) -> None:
        atomic_write_text(self.results_file, _dump(data))

    def read_results(self) -> dict[str, Any] | None:
        if not self.results_file.is_file():
            return None
        data: dict[str, Any] = json.loads(self.results_file.read_text(encoding="utf-8"))
        return data

    def iter_records(self, *, repair: bool = False) -> Iterator[dict[str, Any]]:
        """Completed item records, streamed. A torn final line is skipped (and cut off when ``repair``); a
        torn line anywhere else means the file was edited by hand and is an error."""
        if not self.items_file.is_file():
            return
        good_end = 0
        size = 0
        torn: int | None = None
        with self.items_file.open("rb") as f:
            for number, line in enumerate(f, start=1):
                size += len(line)
                if torn is not None:
                    raise InputError("malformed item record", path=str(self.items_file), line=torn)
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    torn = number
                    continue
                yield record
                good_end = size
        if repair and good_end < size:
            with self.items_file.open("r+b") as f:
                f.truncate(good_end)
        if repair and good_end:
            with self.items_file.open("r+b") as f:
                f.seek(good_end - 1)
                if f.read(1) != b"\n":
                    f.write(b"\n")

    def lock(self) -> None:
        """Refuse a second process on the same run; a lock left by a killed process is taken over."""
        self.path.mkdir(parents=True, exist_ok=True)
        lock = self.path / LOCK_FILE
        for _ in range(2):
            try:
                fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    pid = int(lock.read_text(encoding="ascii").strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and pid != os.getpid() and pid_alive(pid):
                    raise InputError(
                        f"another aibeian process (pid {pid}) is running this evaluation", path=str(self.path)
                    ) from None
                lock.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(str(os.getpid()))
            return

    def unlock(self) -> None:
        (self.path / LOCK_FILE).unlink(missing_ok=True)

    def open_items(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._items = self.items_file.open("a", encoding="utf-8")

    def append(self, record: dict[str, Any]) -> None:
        if self._items is None:
            self.open_items()
        assert self._items is not None
        self._items.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._items.flush()  # survives a kill of this process; fsync per item would cost more than it saves

    def close(self) -> None:
        if self._items is not None:
            self._items.close()
            self._items = None
