"""``aibeian label …``: write and check GB 45438-2025 AIGC labels (explicit + implicit), file by file or
over folders, with a progress bar and a summary table. Exit 1 when any file fails or is non-compliant."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from aibeian.cli._output import console, echo_json
from aibeian.errors import InputError
from aibeian.labeling import DEFAULT_TEXT, ApplyOptions, LabelMeta, LabelReport
from aibeian.labeling._batch import BatchItem, expand_inputs, run_apply, run_propagate, run_verify

T = TypeVar("T")
POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left", "bottom", "top", "start", "end"]
FILES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))


def _with_progress(total: int, job: Callable[[Callable[[Any], None]], T]) -> T:
    """Run ``job`` with a progress bar on stderr when there is more than one file."""
    err = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=total < 2,
    ) as bar:
        task = bar.add_task("标识 / labelling", total=total)
        return job(lambda _item: bar.advance(task))


def _jobs(jobs: int) -> int:
    return jobs or os.cpu_count() or 1


def _out_dir(out: Path | None, in_place: bool) -> Path | None:
    if out is not None and in_place:
        raise InputError("--out and --in-place exclude each other / 二者只能选一", field="--out")
    if out is not None:
        if out.exists() and not out.is_dir():
            raise InputError("--out must be a folder / 须为文件夹", path=str(out), field="--out")
        out.mkdir(parents=True, exist_ok=True)
    return out


def _print_items(items: Sequence[BatchItem], fmt: str, verb: str) -> None:
    if fmt == "json":
        echo_json(
            [
                {
                    "file": str(i.source),
                    "output": str(i.output) if i.output else None,
                    "ok": i.error is None,
                    "error": i.error,
                    "note": i.note or None,
                }
                for i in items
            ]
        )
    else:
        c = console()
        for i in items:
            if i.error:
                c.print(f"[red]✗[/] {escape(str(i.source))}: {escape(i.error)}", highlight=False)
            else:
                note = f"  ({i.note})" if i.note else ""
                c.print(
                    f"[green]✓[/] {escape(str(i.source))} → {escape(str(i.output))}{escape(note)}",
                    highlight=False,
                )
        if len(items) > 1:
            done = sum(i.error is None for i in items)
            table = Table(title=f"{verb} 汇总 / summary")
            for col in ("files / 文件", "ok / 成功", "failed / 失败"):
                table.add_column(col, justify="right")
            table.add_row(str(len(items)), str(done), str(len(items) - done))
            c.print(table)


@click.group()
def label() -> None:
    """AIGC content labels (GB 45438-2025): write, verify, propagate / 生成合成内容标识.

    Explicit labels (visible text, audible cue) and implicit labels (the AIGC metadata record) for
    .txt .md .png .jpg .webp .pdf .docx .mp3 .wav .flac .m4a .mp4. Folders are processed recursively.
    """


@label.command("apply")
@FILES
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="worker processes; 0 = one per CPU core / 并行进程数",
)
@click.option("--producer", required=True, help="ContentProducer: provider name or 27-char code / 服务提供者")
@click.option(
    "--produce-id",
    required=True,
    help="ProduceID; {stem}, {name}, {index} are replaced per file / 内容制作编号",
)
@click.option(
    "--label",
    "label_value",
    type=click.Choice(["1", "2", "3"]),
    default="1",
    show_default=True,
    help="Label: 1 属于 / 2 可能为 / 3 疑似为 AI 生成合成内容",
)
@click.option("--reserved1", default="", help="ReservedCode1 (e.g. a signature) / 预留字段1")
@click.option(
    "--explicit",
    type=click.Choice(["on", "off"]),
    default="on",
    show_default=True,
    help="draw/insert the visible or audible label / 显式标识",
)
@click.option("--text", default=DEFAULT_TEXT, show_default=True, help="label text / 标识文字")
@click.option(
    "--position",
    type=click.Choice(POSITIONS),
    default=None,
    help="images/video: corner or edge (default bottom-right); text/docx: start|end; pdf: top|bottom",
)
@click.option(
    "--font",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CJK font file (default: fontconfig's) / 中文字体文件",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="write copies into this folder (default: NAME.aigc.EXT beside the input)",
)
@click.option("--in-place", is_flag=True, help="overwrite the inputs (atomically) / 原地修改")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def apply_cmd(
    files: tuple[Path, ...],
    producer: str,
    produce_id: str,
    label_value: str,
    reserved1: str,
    explicit: str,
    text: str,
    position: str | None,
    font: Path | None,
    out: Path | None,
    in_place: bool,
    fmt: str,
    jobs: int,
) -> None:
    """Write labelled copies of FILES (explicit + implicit). 写入显式与隐式标识。"""
    meta = LabelMeta(
        Label=label_value, ContentProducer=producer, ProduceID=produce_id, ReservedCode1=reserved1
    )
    check = replace(meta, ProduceID=produce_id.replace("{", "").replace("}", "") or "x")
    if check.problems():
        raise InputError(problems=check.problems())
    out = _out_dir(out, in_place)
    options = ApplyOptions(
        explicit=explicit == "on", text=text, position=position, font=str(font) if font else None
    )
    files_found = expand_inputs(files, skip=out)
    items = _with_progress(
        len(files_found),
        lambda step: run_apply(
            files_found,
            meta,
            produce_id,
            options,
            out=out,
            in_place=in_place,
            progress=step,
            jobs=_jobs(jobs),
        ),
    )
    _print_items(items, fmt, "标识 apply")
    if any(i.error for i in items):
        raise SystemExit(1)


@label.command("propagate")
@FILES
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="worker processes; 0 = one per CPU core / 并行进程数",
)
@click.option("--propagator", required=True, help="ContentPropagator: platform name or code / 传播服务提供者")
@click.option("--propagate-id", required=True, help="PropagateID; {stem}, {name}, {index} allowed / 传播编号")
@click.option("--reserved2", default="", help="ReservedCode2 / 预留字段2")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="write copies into this folder (default: NAME.propagated.EXT beside the input)",
)
@click.option("--in-place", is_flag=True, help="overwrite the inputs (atomically) / 原地修改")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def propagate_cmd(
    files: tuple[Path, ...],
    propagator: str,
    propagate_id: str,
    reserved2: str,
    out: Path | None,
    in_place: bool,
    fmt: str,
    jobs: int,
) -> None:
    """Add a distribution platform's fields, keeping the producer's. 添加传播平台信息。"""
    out = _out_dir(out, in_place)
    files_found = expand_inputs(files, skip=out)
    items = _with_progress(
        len(files_found),
        lambda step: run_propagate(
            files_found,
            propagator,
            propagate_id,
            reserved2=reserved2,
            out=out,
            in_place=in_place,
            progress=step,
            jobs=_jobs(jobs),
        ),
    )
    _print_items(items, fmt, "传播 propagate")
    if any(i.error for i in items):
        raise SystemExit(1)


def _print_report(c: Console, r: LabelReport) -> None:
    mark = "[green]✓ 合规 compliant[/]" if r.compliant else "[red]✗ 不合规 non-compliant[/]"
    c.print(f"{mark}  {escape(r.file)}  ({r.format})", highlight=False)
    ex = r.explicit
    where = ex.details.get("where")
    c.print(
        f"  显式 explicit: {'present' if ex.present else 'not confirmed'}{f' — {where}' if where else ''}",
        highlight=False,
        markup=False,
    )
    im = r.implicit
    if im.present:
        values = " ".join(f"{k}={v.value}" for k, v in im.fields.items() if v.value)
        c.print(f"  隐式 implicit: {im.location}: {values}", highlight=False, markup=False)
    else:
        c.print(f"  隐式 implicit: {im.note or 'absent'}", highlight=False, markup=False)
    for p in r.problems:
        c.print(f"  - {p}", highlight=False, markup=False)


@label.command("verify")
@FILES
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="worker processes; 0 = one per CPU core / 并行进程数",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--implicit-only",
    is_flag=True,
    help="judge the metadata only (e.g. the visible label is checked elsewhere) / 只检查隐式标识",
)
def verify_cmd(files: tuple[Path, ...], fmt: str, implicit_only: bool, jobs: int) -> None:
    """Report each file's labels and compliance; exit 1 if any is non-compliant. 检查标识。"""
    files_found = expand_inputs(files)
    reports = _with_progress(
        len(files_found),
        lambda step: run_verify(
            files_found, check_explicit=not implicit_only, progress=step, jobs=_jobs(jobs)
        ),
    )
    if fmt == "json":
        echo_json([r.to_dict() for r in reports])
    else:
        c = console()
        for r in reports:
            _print_report(c, r)
        if len(reports) > 1:
            table = Table(title="检查汇总 / verification summary")
            for col in ("format / 格式", "files / 文件", "compliant / 合规", "non-compliant / 不合规"):
                table.add_column(col, justify="right")
            by_format = Counter(r.format for r in reports)
            ok = Counter(r.format for r in reports if r.compliant)
            for f_, n in sorted(by_format.items()):
                table.add_row(f_, str(n), str(ok[f_]), str(n - ok[f_]))
            table.add_row(
                "[bold]total[/]",
                str(len(reports)),
                str(sum(ok.values())),
                str(len(reports) - sum(ok.values())),
            )
            c.print(table)
    if not reports or any(not r.compliant for r in reports):
        raise SystemExit(1)
