"""``aibeian label …``: write and check GB 45438-2025 AIGC labels (explicit + implicit), file by file or
over folders, with a progress bar and a summary table. Exit 1 when any file fails or is non-compliant."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from aibeian.cli._output import console, echo_json
from aibeian.errors import InputError
from aibeian.labeling import AUDIO_NOTICES, DEFAULT_TEXT, ApplyOptions, LabelMeta
from aibeian.labeling._batch import expand_inputs, run_apply, run_propagate, run_verify
from aibeian.labeling._runs import LabelRun, load_run
from aibeian.labeling._summary import print_items, print_reports

POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left", "bottom", "top", "start", "end"]
FILES = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))


def _batch(
    command: str,
    files: list[tuple[Path, Path]],
    run_dir: Path | None,
    arguments: dict[str, Any],
    job: Callable[[Collection[str], Callable[[Any], None]], object],
) -> list[dict[str, Any]]:
    """Run ``job`` over the files not yet recorded in ``run_dir`` with a progress bar on stderr; return one
    record per file in input order (from the run folder for files a previous, interrupted run finished)."""
    run = LabelRun(run_dir, command=command, arguments=arguments) if run_dir is not None else None
    done = dict(run.done) if run is not None else {}
    fresh: dict[str, dict[str, Any]] = {}
    pending = sum(str(src) not in done for src, _ in files)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=pending < 2,
    ) as bar:
        task = bar.add_task("标识 / labelling", total=pending)

        def step(result: Any) -> None:
            record: dict[str, Any] = result.to_dict()
            fresh[record["file"]] = record
            if run is not None:
                run.record(record["file"], record)
            bar.advance(task)

        job(set(done), step)
    records = [done.get(str(src)) or fresh[str(src)] for src, _ in files]
    if run is not None:
        bad = sum(not (r.get("ok", r.get("compliant"))) for r in records)
        run.finish({"files": len(records), "ok": len(records) - bad, "not_ok": bad})
    return records


def _print_items(items: Sequence[dict[str, Any]], fmt: str, verb: str) -> None:
    if fmt == "json":
        echo_json(list(items))
    else:
        print_items(console(), items, verb)


def _print_reports(reports: Sequence[dict[str, Any]], fmt: str) -> None:
    if fmt == "json":
        echo_json(list(reports))
    else:
        print_reports(console(), reports)


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


JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="worker processes; 0 = one per CPU core / 并行进程数",
)
FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
IN_PLACE = click.option("--in-place", is_flag=True, help="overwrite the inputs (atomically) / 原地修改")
RUN_DIR = click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="record the batch in this folder (run.json, items.jsonl); rerun to resume / 运行记录目录，可续跑",
)
F = TypeVar("F", bound=Callable[..., Any])


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Apply click decorators in the order written, so a shared block reads like the --help it makes."""

    def wrap(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return wrap


def batch_options(infix: str) -> Callable[[F], F]:
    """What every writing command shares: files, run folder, workers, --out/--in-place and --format."""
    return _stack(
        FILES,
        RUN_DIR,
        JOBS,
        click.option(
            "--out",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help=f"write copies into this folder (default: NAME.{infix}.EXT beside the input)",
        ),
        IN_PLACE,
        FORMAT,
    )


def record_options(func: F) -> F:
    """The producer's fields of the AIGC record."""
    return _stack(
        click.option(
            "--producer", required=True, help="ContentProducer: provider name or 27-char code / 服务提供者"
        ),
        click.option(
            "--produce-id",
            required=True,
            help="ProduceID; {stem}, {name}, {index} are replaced per file / 内容制作编号",
        ),
        click.option(
            "--label",
            "label_value",
            type=click.Choice(["1", "2", "3"]),
            default="1",
            show_default=True,
            help="Label: 1 属于 / 2 可能为 / 3 疑似为 AI 生成合成内容",
        ),
        click.option("--reserved1", default="", help="ReservedCode1 (e.g. a signature) / 预留字段1"),
    )(func)


def explicit_options(func: F) -> F:
    """How the visible or audible label is made."""
    return _stack(
        click.option(
            "--explicit",
            type=click.Choice(["on", "off"]),
            default="on",
            show_default=True,
            help="draw/insert the visible or audible label / 显式标识",
        ),
        click.option("--text", default=DEFAULT_TEXT, show_default=True, help="label text / 标识文字"),
        click.option(
            "--position",
            type=click.Choice(POSITIONS),
            default=None,
            help="images/video: corner or edge (default bottom-right); text/docx: start|end; pdf: top|bottom",
        ),
        click.option(
            "--font",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="CJK font file (default: fontconfig's) / 中文字体文件",
        ),
        click.option(
            "--audio-notice",
            type=click.Choice(list(AUDIO_NOTICES)),
            default="cue",
            show_default=True,
            help="audio opens with the 短长短短 cue, a spoken notice (espeak-ng; --text if changed, else "
            "本内容由人工智能生成), or both / 音频提示：提示音、语音或两者",
        ),
    )(func)


@click.group()
def label() -> None:
    """AIGC content labels (GB 45438-2025): write, verify, propagate / 生成合成内容标识.

    Explicit labels (visible text, audible cue or spoken notice) and implicit labels (the AIGC metadata
    record) for .txt .md .png .jpg .webp .gif .tif .heic .pdf .docx .mp3 .wav .flac .m4a .ogg .opus .mp4
    .mov .mkv .avi. Folders are processed recursively.
    """


@label.command("apply")
@batch_options("aigc")
@record_options
@explicit_options
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
    audio_notice: str,
    out: Path | None,
    in_place: bool,
    fmt: str,
    jobs: int,
    run_dir: Path | None,
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
        explicit=explicit == "on",
        text=text,
        position=position,
        font=str(font) if font else None,
        audio_notice=audio_notice,
    )
    files_found = expand_inputs(files, skip=out)
    arguments = {
        "files": [str(f) for f in files],
        "meta": meta.as_dict(),
        "explicit": explicit,
        "text": text,
        "position": position,
        "font": str(font) if font else None,
        "audio_notice": audio_notice,
        "out": str(out) if out else None,
        "in_place": in_place,
    }
    items = _batch(
        "apply",
        files_found,
        run_dir,
        arguments,
        lambda skip, step: run_apply(
            files_found,
            meta,
            produce_id,
            options,
            out=out,
            in_place=in_place,
            progress=step,
            jobs=_jobs(jobs),
            skip=skip,
        ),
    )
    _print_items(items, fmt, "标识 apply")
    if any(not i["ok"] for i in items):
        raise SystemExit(1)


@label.command("propagate")
@batch_options("propagated")
@click.option("--propagator", required=True, help="ContentPropagator: platform name or code / 传播服务提供者")
@click.option("--propagate-id", required=True, help="PropagateID; {stem}, {name}, {index} allowed / 传播编号")
@click.option("--reserved2", default="", help="ReservedCode2 / 预留字段2")
def propagate_cmd(
    files: tuple[Path, ...],
    propagator: str,
    propagate_id: str,
    reserved2: str,
    out: Path | None,
    in_place: bool,
    fmt: str,
    jobs: int,
    run_dir: Path | None,
) -> None:
    """Add a distribution platform's fields, keeping the producer's. 添加传播平台信息。"""
    out = _out_dir(out, in_place)
    files_found = expand_inputs(files, skip=out)
    arguments = {
        "files": [str(f) for f in files],
        "propagator": propagator,
        "propagate_id": propagate_id,
        "reserved2": reserved2,
        "out": str(out) if out else None,
        "in_place": in_place,
    }
    items = _batch(
        "propagate",
        files_found,
        run_dir,
        arguments,
        lambda skip, step: run_propagate(
            files_found,
            propagator,
            propagate_id,
            reserved2=reserved2,
            out=out,
            in_place=in_place,
            progress=step,
            jobs=_jobs(jobs),
            skip=skip,
        ),
    )
    _print_items(items, fmt, "传播 propagate")
    if any(not i["ok"] for i in items):
        raise SystemExit(1)


@label.command("verify")
@FILES
@RUN_DIR
@JOBS
@FORMAT
@click.option(
    "--implicit-only",
    is_flag=True,
    help="judge the metadata only (e.g. the visible label is checked elsewhere) / 只检查隐式标识",
)
def verify_cmd(
    files: tuple[Path, ...], fmt: str, implicit_only: bool, jobs: int, run_dir: Path | None
) -> None:
    """Report each file's labels and compliance; exit 1 if any is non-compliant. 检查标识。"""
    files_found = expand_inputs(files)
    arguments = {"files": [str(f) for f in files], "implicit_only": implicit_only}
    reports = _batch(
        "verify",
        files_found,
        run_dir,
        arguments,
        lambda skip, step: run_verify(
            files_found, check_explicit=not implicit_only, progress=step, jobs=_jobs(jobs), skip=skip
        ),
    )
    _print_reports(reports, fmt)
    if not reports or any(not r["compliant"] for r in reports):
        raise SystemExit(1)


@label.command("report")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@FORMAT
def report_cmd(run_dir: Path, fmt: str) -> None:
    """Print a recorded batch again from its --run-dir alone; exit 1 if it had failures. 重新生成报告。"""
    run, records = load_run(run_dir)
    if run.get("kind") == "label-verify":
        _print_reports(records, fmt)
        failed = any(not r["compliant"] for r in records)
    else:
        _print_items(records, fmt, "标识 apply" if run.get("kind") == "label-apply" else "传播 propagate")
        failed = any(not r["ok"] for r in records)
    if run.get("status") != "complete":
        Console(stderr=True).print("[yellow]warning:[/] the run did not finish; rerun the command to resume")
    if failed or not records:
        raise SystemExit(1)
