"""``aibeian corpus …``: the training-corpus safety assessment (scan, manual sample, review import, report)."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from aibeian.cli._output import console, echo_json, lang_option
from aibeian.corpus._document import pct, span
from aibeian.corpus._i18n import t
from aibeian.corpus._plan import Shard
from aibeian.corpus._run import ScanProgress


@click.group()
def corpus() -> None:
    """训练语料安全评估 / training-corpus safety assessment.

    scan: per-source screening and the technical spot check (local or Ray); sample and review-import: the
    manual spot check; report: the corpus section of the security self-assessment.
    """


class _Bar:
    """A rich progress bar over shards, weighted by bytes, on stderr so stdout stays clean for --format json."""

    def __init__(self, enabled: bool) -> None:
        self.progress = Progress(
            TextColumn("[bold]扫描 scan"),
            BarColumn(),
            TextColumn("{task.fields[shards]} shards"),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            disable=not enabled,
        )
        self.task: TaskID | None = None
        self.done = 0
        self.total = 0

    def start(self, p: ScanProgress) -> None:
        self.done, self.total = p.skipped_shards, p.total_shards
        self.progress.start()
        self.task = self.progress.add_task(
            "scan", total=p.total_bytes, completed=p.skipped_bytes, shards=f"{self.done}/{self.total}"
        )

    def shard(self, shard: Shard, result: dict[str, Any]) -> None:
        self.done += 1
        if self.task is not None:
            self.progress.update(self.task, advance=shard.size, shards=f"{self.done}/{self.total}")

    def stop(self) -> None:
        self.progress.stop()


@corpus.command("scan")
@click.argument("corpus_paths", metavar="CORPUS…", nargs=-1, required=True)
@click.option(
    "--sources",
    "sources",
    required=True,
    type=click.Path(dir_okay=False),
    help="sources.yaml: which source each item belongs to, with licence/provenance notes.",
)
@click.option("--keywords", required=True, type=click.Path(dir_okay=False), help="Keyword library CSV.")
@click.option(
    "--judge",
    "judges",
    multiple=True,
    metavar="NAME[:ARG]",
    help="Also judge each sampled item with this judge of the evaluation harness (repeatable).",
)
@click.option("--judge-url", help="OpenAI-compatible endpoint for model judges (llm, guard).")
@click.option("--judge-model", help="Model name at --judge-url.")
@click.option("--api-key-env", help="Environment variable holding the judge endpoint's API key.")
@click.option(
    "--sample-rate",
    type=float,
    default=0.1,
    show_default=True,
    help="Fraction of items in the technical sample (never below the standard's minimum).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the reproducible samples.")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Parallel worker processes (local) or Ray CPUs [default: the CPU count; for the local engine no more "
    "than one per 256 MB of corpus, since a worker takes a moment to start].",
)
@click.option("--ray-address", help="Join an existing Ray cluster (default: start a local one).")
@click.option(
    "--manual-reserve",
    type=click.IntRange(min=1),
    default=None,
    help="Manual-sample candidates kept per source and shard [default: 2 × the standard's minimum].",
)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Run directory.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@lang_option()
@click.option("--progress/--no-progress", default=None, help="Progress bar [default: on a terminal].")
def scan_cmd(
    corpus_paths: tuple[str, ...],
    sources: str,
    keywords: str,
    judges: tuple[str, ...],
    judge_url: str | None,
    judge_model: str | None,
    api_key_env: str | None,
    sample_rate: float,
    seed: int,
    engine: str,
    workers: int | None,
    ray_address: str | None,
    manual_reserve: int | None,
    out: str,
    fmt: str,
    lang: str,
    progress: bool | None,
) -> None:
    """Scan a corpus: per-source statistics and the technical spot check.

    CORPUS is one or more JSONL/Parquet/text files or folders (plain, .gz or .zst). Resumable: rerun the
    same command after an interruption or after fixing a corrupt file; completed shards are skipped.
    A plain JSONL file over ~96 MB that holds more than an eighth of the corpus is cut into ~64 MB parts so
    several workers share it. Exit status: 0 scanned; 1 scanned, but some items could not be read or belong
    to no source (listed); 2 bad input; 130 interrupted (Ctrl-C; finished shards are kept).
    """
    from aibeian.corpus import assess

    bar = _Bar(progress if progress is not None else sys.stderr.isatty())
    try:
        report = assess(
            list(corpus_paths),
            sources=sources,
            keywords=keywords,
            out=out,
            engine=engine,
            workers=workers,
            ray_address=ray_address,
            sample_rate=sample_rate,
            seed=seed,
            judges=judges,
            manual_reserve=manual_reserve,
            judge_url=judge_url,
            judge_model=judge_model,
            judge_api_key_env=api_key_env,
            on_start=bar.start,
            on_shard=bar.shard,
        )
    except KeyboardInterrupt:
        bar.stop()
        message = (
            t("interrupted", lang).format(done=bar.done, total=bar.total, out=out)
            if bar.total
            else t("interrupted_early", lang)
        )
        Console(stderr=True, soft_wrap=True).print(message, highlight=False, markup=False)
        sys.exit(130)  # the shell's code for a command stopped by Ctrl-C
    finally:
        bar.stop()
    if fmt == "json":
        echo_json(report)
    else:
        _print_summary(report, lang, out)
    problems = report["problems"]
    if problems["corrupt"]["count"] or problems["unassigned"]["count"]:
        sys.exit(1)


def _print_summary(report: dict[str, Any], lang: str, out: str) -> None:
    c = console()
    table = Table(title=t("per_source", lang))
    for key in ("source", "items", "sampled", "flagged", "flagged_rate", "interval", "result"):
        table.add_column(t(key, lang))
    for s in report["sources"]:
        style = {"pass": "green", "fail": "red"}.get(s["status"], "yellow")
        table.add_row(
            s["id"],
            f"{s['items']:,}",
            f"{s['sampled']:,}",
            f"{s['flagged']:,}",
            pct(s["flagged_rate"]),
            span(s["interval"]),
            f"[{style}]{t('status.' + s['status'], lang)}[/]",
        )
    c.print(table)
    tech, conclusion = report["technical"], report["conclusion"]
    c.print(
        f"{t('technical_check', lang)}: {tech['sampled']:,}/{tech['items']:,} ({pct(tech['fraction'])}), "
        f"{t('qualified_rate', lang)} {pct(tech['rate'])} {span(tech['interval'])} ≥ {pct(tech['min_pass_rate'])}: "
        f"{t('status.' + conclusion['technical'], lang)}"
    )
    problems = report["problems"]
    for kind in ("corrupt", "unassigned"):
        if problems[kind]["count"]:
            c.print(f"[yellow]{t(kind, lang)}: {problems[kind]['count']:,}[/]")
            for e in problems[kind]["examples"][:10]:
                where = e.get("id") or f"{e['path']}" + (f":{e['line']}" if e.get("line") is not None else "")
                c.print(f"  - {where}: {e.get('message') or e.get('value') or ''}", markup=False)
    if report["corpus"]["ignored_files"]:
        c.print(f"[yellow]{t('ignored', lang)}: {len(report['corpus']['ignored_files'])}[/]")
    c.print(
        f"{t('overall', lang)}: {t('status.' + conclusion['status'], lang)} — aibeian corpus report {out}"
    )


@corpus.command("sample")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--n",
    "n",
    type=click.IntRange(min=1),
    default=None,
    help="Items to draw [default: the standard's minimum, 4000].",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Reviewers' file: .csv (opens in Excel) or .jsonl.",
)
def sample_cmd(run_dir: str, n: int | None, out: str) -> None:
    """Draw the manual (human) review sample: reproducible, stratified by source in proportion to size."""
    from aibeian.corpus import RunDir, draw_manual_sample, thresholds, write_review_file

    if not out.lower().endswith((".csv", ".jsonl")):
        from aibeian.errors import InputError

        raise InputError("unsupported review file type", path=out, field="--out", expected=".csv or .jsonl")
    size = n if n is not None else int(thresholds()["corpus_manual_sample_min_items"])
    sample = draw_manual_sample(RunDir(run_dir), size)
    write_review_file(sample, out)
    by_source: dict[str, int] = {}
    for r in sample:
        by_source[r["source"]] = by_source.get(r["source"], 0) + 1
    shares = ", ".join(f"{k} {v}" for k, v in sorted(by_source.items()))
    click.echo(f"抽取 drew {len(sample)} items ({shares}) → {out}")
    if len(sample) < size:
        click.echo(f"注意 note: the corpus has only {len(sample)} items; all were drawn", err=True)


@corpus.command("review-import")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.argument("review_file", type=click.Path(dir_okay=False))
def review_import_cmd(run_dir: str, review_file: str) -> None:
    """Import reviewers' verdicts (columns id, qualified yes/no, reason) into the run."""
    from aibeian.corpus import RunDir, import_reviews, manual_summary, thresholds

    run = RunDir(run_dir)
    counts = import_reviews(run, review_file)
    m = manual_summary(run, thresholds())
    click.echo(
        f"导入 imported {counts['imported']} verdicts ({counts['blank']} rows not yet reviewed); "
        f"reviewed {m['reviewed']}/{m['drawn']}, qualified rate {pct(m['rate'])} {span(m['interval'])}"
    )
    if not m["complete"]:
        click.echo(f"人工抽检未完成 manual check not complete: {m['reviewed']} reviewed < {m['min_items']}")


@corpus.command("report")
@click.argument("run_dir", type=click.Path(file_okay=False, exists=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json", "markdown", "docx"]),
    default="markdown",
    show_default=True,
)
@lang_option()
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Write to a file (required for docx).")
def report_cmd(run_dir: str, fmt: str, lang: str, out: str | None) -> None:
    """The corpus section of the security self-assessment, regenerated from the run directory alone."""
    from aibeian.corpus import assess_run
    from aibeian.corpus._render import render, write_report
    from aibeian.errors import InputError

    report = assess_run(run_dir)
    if out:
        write_report(report, fmt, out, lang)
        click.echo(f"→ {out}", err=True)
    elif fmt == "docx":
        raise InputError("a .docx report needs a file", field="--out", expected="--out report.docx")
    else:
        click.echo(render(report, fmt, lang), nl=False)
