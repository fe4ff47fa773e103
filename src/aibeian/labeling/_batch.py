"""Many files at once: expand folders, label or verify each file, and keep going when one fails.

A platform checks uploads by the thousand; one corrupt file must cost one line in the report, not the run.
Every per-file error becomes an item with its message; nothing is raised past the batch.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from aibeian.errors import AibeianError, InputError
from aibeian.labeling._api import ApplyResult, apply, format_name, propagate, verify
from aibeian.labeling._fields import FIELD_NAMES, LabelMeta
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._report import ExplicitResult, FieldResult, ImplicitResult, LabelReport

A = TypeVar("A")
R = TypeVar("R")

__all__ = [
    "BatchItem",
    "expand_inputs",
    "failed_report",
    "produce_id_for",
    "run_apply",
    "run_propagate",
    "run_verify",
    "supported_suffixes",
]


@dataclass
class BatchItem:
    source: Path
    output: Path | None = None
    error: str | None = None
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": str(self.source),
            "output": str(self.output) if self.output else None,
            "ok": self.error is None,
            "error": self.error,
            "note": self.note or None,
        }


def supported_suffixes() -> set[str]:
    return {s for name in label_writers.names() for s in label_writers.get(name).suffixes}


def expand_inputs(paths: Iterable[Path], *, skip: Path | None = None) -> list[tuple[Path, Path]]:
    """(file, path relative to the folder it was found in) for every file; folders are walked for
    supported formats, hidden files and the output folder ``skip`` are left out. A named file is kept
    whatever its suffix, so an unsupported one is reported rather than silently dropped."""
    found: list[tuple[Path, Path]] = []
    suffixes = supported_suffixes()
    skip_resolved = skip.resolve() if skip is not None else None
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts) or not f.is_file():
                    continue
                if skip_resolved is not None and skip_resolved in f.resolve().parents:
                    continue
                if f.suffix.lower() in suffixes:
                    found.append((f, rel))
        else:
            found.append((p, Path(p.name)))
    return found


def produce_id_for(template: str, path: Path, index: int) -> str:
    """Expand ``{stem}``, ``{name}`` and ``{index}`` so one command gives each file its own ProduceID."""
    return template.replace("{stem}", path.stem).replace("{name}", path.name).replace("{index}", str(index))


def _message(exc: AibeianError) -> str:
    if isinstance(exc, InputError):
        return "; ".join(p.message if p.path else str(p) for p in exc.problems)
    return str(exc)


def _apply_task(task: tuple[Path, LabelMeta, ApplyOptions, Path | None, bool]) -> BatchItem:
    src, meta, options, target_dir, in_place = task
    item = BatchItem(src)
    try:
        result: ApplyResult = apply(src, meta, options=options, out=target_dir, in_place=in_place)
        item.output, item.note = result.output, result.note
    except AibeianError as exc:
        item.error = _message(exc)
    except OSError as exc:
        item.error = f"{exc.strerror or exc} / 读写失败"
    return item


def _propagate_task(task: tuple[Path, str, str, str, Path | None, bool]) -> BatchItem:
    src, propagator, propagate_id, reserved2, target_dir, in_place = task
    item = BatchItem(src)
    try:
        result = propagate(
            src, propagator, propagate_id, reserved2=reserved2, out=target_dir, in_place=in_place
        )
        item.output, item.note = result.output, result.note
    except AibeianError as exc:
        item.error = _message(exc)
    except OSError as exc:
        item.error = f"{exc.strerror or exc} / 读写失败"
    return item


def _verify_task(task: tuple[Path, bool]) -> LabelReport:
    src, check_explicit = task
    try:
        return verify(src, check_explicit=check_explicit)
    except AibeianError as exc:
        return failed_report(src, _message(exc))
    except OSError as exc:
        return failed_report(src, f"{exc.strerror or exc}")


def _map(worker: Callable[[A], R], tasks: list[A], jobs: int, progress: Callable[[R], None]) -> list[R]:
    """Run ``worker`` over ``tasks`` in order, in this process or in ``jobs`` worker processes (the codecs
    hold the GIL, so threads would not help). Results come back in input order."""
    results: list[R] = []
    if jobs <= 1 or len(tasks) < 2:
        for task in tasks:
            results.append(worker(task))
            progress(results[-1])
        return results
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs a progress thread
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for result in pool.map(worker, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 8)))):
            results.append(result)
            progress(result)
    return results


def _target_dir(out: Path | None, rel: Path) -> Path | None:
    if out is None:
        return None
    target = (out / rel).parent
    target.mkdir(parents=True, exist_ok=True)
    return target


def run_apply(
    files: list[tuple[Path, Path]],
    meta: LabelMeta,
    produce_id: str,
    options: ApplyOptions,
    *,
    out: Path | None,
    in_place: bool,
    progress: Callable[[BatchItem], None],
    jobs: int = 1,
    skip: Collection[str] = (),
) -> list[BatchItem]:
    """Label ``files`` except those in ``skip`` (done in a resumed run). ``{index}`` stays the file's
    position in ``files``, so a resumed run gives each file the ProduceID an uninterrupted one would."""
    tasks = [
        (
            src,
            replace(meta, ProduceID=produce_id_for(produce_id, src, i)),
            options,
            _target_dir(out, rel),
            in_place,
        )
        for i, (src, rel) in enumerate(files, start=1)
        if str(src) not in skip
    ]
    return _map(_apply_task, tasks, jobs, progress)


def run_propagate(
    files: list[tuple[Path, Path]],
    propagator: str,
    propagate_id: str,
    *,
    reserved2: str,
    out: Path | None,
    in_place: bool,
    progress: Callable[[BatchItem], None],
    jobs: int = 1,
    skip: Collection[str] = (),
) -> list[BatchItem]:
    tasks = [
        (src, propagator, produce_id_for(propagate_id, src, i), reserved2, _target_dir(out, rel), in_place)
        for i, (src, rel) in enumerate(files, start=1)
        if str(src) not in skip
    ]
    return _map(_propagate_task, tasks, jobs, progress)


def failed_report(path: Path, message: str) -> LabelReport:
    """A report for a file we could not read at all: same shape, not compliant, the reason as its problem."""
    fields = {n: FieldResult(None, False, ["unreadable"]) for n in FIELD_NAMES}
    return LabelReport(
        str(path),
        format_name(path),
        ExplicitResult(False, checked=False),
        ImplicitResult(False, True, None, 0, fields),
        [f"error: {message}"],
    )


def run_verify(
    files: list[tuple[Path, Path]],
    *,
    check_explicit: bool,
    progress: Callable[[LabelReport], None],
    jobs: int = 1,
    skip: Collection[str] = (),
) -> list[LabelReport]:
    tasks = [(src, check_explicit) for src, _rel in files if str(src) not in skip]
    return _map(_verify_task, tasks, jobs, progress)
