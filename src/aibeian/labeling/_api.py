"""The public operations: apply, verify, propagate. Thin over the per-format writers, strict about safety.

Inputs are never modified unless asked (``in_place``); every output is written to a temp file beside the
target and renamed, so an error or a Ctrl-C leaves either the old file or the new one, never half of one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from aibeian.errors import InputError, Problem
from aibeian.files import atomic_output
from aibeian.labeling._fields import LabelMeta
from aibeian.labeling._handler import AUDIO_NOTICES, ApplyOptions, writer_for
from aibeian.labeling._render import text_problems
from aibeian.labeling._report import LabelReport, build_report

__all__ = ["ApplyResult", "apply", "output_path", "propagate", "verify"]


@dataclass(frozen=True)
class ApplyResult:
    source: Path
    output: Path
    explicit_drawn: bool
    note: str = ""


def output_path(path: Path, *, out: Path | None, in_place: bool, infix: str = ".aigc") -> Path:
    """Where a labelled copy goes: the input itself, ``out/name``, or ``name.aigc.ext`` beside the input."""
    if in_place:
        return path
    target = out / path.name if out is not None else path.with_name(f"{path.stem}{infix}{path.suffix}")
    if target.resolve() == path.resolve():
        raise InputError(
            "output would overwrite the input; pass --in-place to allow it / 输出会覆盖输入", path=str(path)
        )
    return target


def _check_readable(path: Path) -> None:
    if not path.is_file():
        raise InputError("file not found / 文件不存在", path=str(path))


def verify(path: str | Path, *, check_explicit: bool = True) -> LabelReport:
    """Read ``path`` and judge its labels. Raises InputError only when the file cannot be read at all."""
    p = Path(path)
    _check_readable(p)
    writer = writer_for(p)
    return build_report(
        str(p), format_name(p), writer.inspect(p, explicit=check_explicit), check_explicit=check_explicit
    )


def format_name(path: Path) -> str:
    """The format as reports name it: the suffix, with the usual aliases folded (jpg → jpeg)."""
    suffix = path.suffix.lower().lstrip(".")
    return {"jpg": "jpeg", "markdown": "md"}.get(suffix, suffix)


def _write(src: Path, target: Path, meta: LabelMeta, opts: ApplyOptions) -> str:
    writer = writer_for(src)
    try:
        with atomic_output(target, suffix=src.suffix) as tmp:
            return writer.write(src, tmp, meta, opts) or ""
    except PermissionError as exc:
        raise InputError(
            "cannot write the output (permission denied) / 无写入权限", path=str(target)
        ) from exc


def apply(
    path: str | Path,
    meta: LabelMeta,
    *,
    options: ApplyOptions | None = None,
    out: str | Path | None = None,
    in_place: bool = False,
) -> ApplyResult:
    """Write a copy of ``path`` carrying ``meta`` (implicit) and, unless turned off, a visible label.

    A file that already carries a different producer's record is refused (relabelling another provider's
    content is not ours to do); one that carries the same record and a confirmed visible label is not
    labelled a second time.
    """
    src = Path(path)
    opts = options or ApplyOptions()
    _check_readable(src)
    problems: list[Problem] = [replace(p, path=str(src)) for p in meta.problems()]
    if opts.explicit:
        problems += [Problem(m, path=str(src), field="--text") for m in text_problems(opts.text)]
    writer = writer_for(src)
    if opts.position and opts.position not in writer.positions:
        problems.append(
            Problem(
                f"position {opts.position!r} does not apply to this format",
                path=str(src),
                field="--position",
                expected=", ".join(writer.positions),
            )
        )
    if opts.audio_notice not in AUDIO_NOTICES:
        problems.append(
            Problem(
                f"unknown audio notice {opts.audio_notice!r}",
                field="--audio-notice",
                expected=", ".join(AUDIO_NOTICES),
            )
        )
    if problems:
        raise InputError(problems=problems)
    report = build_report(str(src), writer.name, writer.inspect(src))
    existing = report.implicit.meta
    note = ""
    if existing is not None and not existing.same_producer(meta):
        raise InputError(
            f"already labelled by another record (Label={existing.Label}, ContentProducer="
            f"{existing.ContentProducer}, ProduceID={existing.ProduceID}); refusing to overwrite — use "
            "`aibeian label propagate` to add platform fields / 文件已有不同的隐式标识",
            path=str(src),
        )
    if existing is not None and opts.explicit and report.explicit.present:
        opts = replace(opts, explicit=False)
        note = "visible label already present; not drawn again / 已有显式标识"
    target = output_path(src, out=Path(out) if out is not None else None, in_place=in_place)
    written = _write(src, target, meta, opts)
    return ApplyResult(src, target, opts.explicit, "; ".join(n for n in (note, written) if n))


def propagate(
    path: str | Path,
    propagator: str,
    propagate_id: str,
    *,
    reserved2: str = "",
    out: str | Path | None = None,
    in_place: bool = False,
) -> ApplyResult:
    """Add a distribution platform's fields to the existing record, keeping the producer's untouched."""
    src = Path(path)
    _check_readable(src)
    writer = writer_for(src)
    report = build_report(str(src), writer.name, writer.inspect(src, explicit=False), check_explicit=False)
    if report.implicit.meta is None:
        raise InputError(
            "no AIGC record to propagate; the producer must label the file first / "
            "文件没有隐式标识，无法添加传播信息",
            path=str(src),
        )
    if report.implicit.copies > 1:
        raise InputError("file carries more than one AIGC record; fix it before propagating", path=str(src))
    meta = report.implicit.meta.with_propagation(propagator, propagate_id, reserved2)
    problems = [replace(p, path=str(src)) for p in meta.problems()]
    if problems:
        raise InputError(problems=problems)
    old = report.implicit.meta.ContentPropagator
    note = f"replaced propagator {old} / 替换了原传播者" if old and old != propagator else ""
    target = output_path(
        src, out=Path(out) if out is not None else None, in_place=in_place, infix=".propagated"
    )
    written = _write(src, target, meta, ApplyOptions(explicit=False))
    return ApplyResult(src, target, False, "; ".join(n for n in (note, written) if n))
