"""Many files at once: expand folders, label or verify each file, and keep going when one fails.

A platform checks uploads by the thousand; one corrupt file must cost one line in the report, not the run.
Every per-file error becomes an item with its message; nothing is raised past the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from aibeian.errors import AibeianError, InputError
from aibeian.labeling._api import ApplyResult, apply, format_name, propagate, verify
from aibeian.labeling._fields import FIELD_NAMES, LabelMeta
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._report import ExplicitResult, FieldResult, ImplicitResult, LabelReport

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


def run_apply(
    files: list[tuple[Path, Path]],
    meta: LabelMeta,
    produce_id: str,
    options: ApplyOptions,
    *,
    out: Path | None,
    in_place: bool,
    progress: Callable[[BatchItem], None],
) -> list[BatchItem]:
    items = []
    for index, (src, rel) in enumerate(files, start=1):
        item = BatchItem(src)
        try:
            target_dir = None
            if out is not None:
                target_dir = (out / rel).parent
                target_dir.mkdir(parents=True, exist_ok=True)
            this = replace(meta, ProduceID=produce_id_for(produce_id, src, index))
            result: ApplyResult = apply(src, this, options=options, out=target_dir, in_place=in_place)
            item.output, item.note = result.output, result.note
        except AibeianError as exc:
            item.error = _message(exc)
        except OSError as exc:
            item.error = f"{exc.strerror or exc} / 读写失败"
        items.append(item)
        progress(item)
    return items


def run_propagate(
    files: list[tuple[Path, Path]],
    propagator: str,
    propagate_id: str,
    *,
    reserved2: str,
    out: Path | None,
    in_place: bool,
    progress: Callable[[BatchItem], None],
) -> list[BatchItem]:
    items = []
    for index, (src, rel) in enumerate(files, start=1):
        item = BatchItem(src)
        try:
            target_dir = (out / rel).parent if out is not None else None
            if target_dir is not None:
                target_dir.mkdir(parents=True, exist_ok=True)
            result = propagate(
                src,
                propagator,
                produce_id_for(propagate_id, src, index),
                reserved2=reserved2,
                out=target_dir,
                in_place=in_place,
            )
            item.output, item.note = result.output, result.note
        except AibeianError as exc:
            item.error = _message(exc)
        except OSError as exc:
            item.error = f"{exc.strerror or exc} / 读写失败"
        items.append(item)
        progress(item)
    return items


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
    files: list[tuple[Path, Path]], *, check_explicit: bool, progress: Callable[[LabelReport], None]
) -> list[LabelReport]:
    reports = []
    for src, _rel in files:
        try:
            report = verify(src, check_explicit=check_explicit)
        except AibeianError as exc:
            report = failed_report(src, _message(exc))
        except OSError as exc:
            report = failed_report(src, f"{exc.strerror or exc}")
        reports.append(report)
        progress(report)
    return reports
