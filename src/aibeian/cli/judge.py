"""``aibeian judge …``: judge given answers without calling a target, and calibrate judges on human labels."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from aibeian.cli._output import console, echo_json
from aibeian.errors import InputError
from aibeian.evaluation import api_key_from_env, decide
from aibeian.evaluation._calibrate import calibration, judge_all, load_answers, predicted_label
from aibeian.evaluation.judges import REFUSAL_LABELS, JudgeContext, JudgeSpec, build_judge
from aibeian.files import atomic_write_text


class _JudgeGroup(click.Group):
    """``aibeian judge --judge X IN.jsonl`` is shorthand for ``aibeian judge apply --judge X IN.jsonl``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["apply", *args]
        return super().parse_args(ctx, args)


def _judge_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--judge",
                "judge_specs",
                multiple=True,
                metavar="NAME[:ARG]",
                help="Judge (repeatable): refusal, llm[:MODEL], guard[:MODEL], keywords:LIB.csv. Default: refusal.",
            ),
            click.option("--judge-url", help="Endpoint of the judge model (llm, guard)."),
            click.option("--judge-model", help="Judge model name (llm, guard)."),
            click.option(
                "--judge-api-key-env", metavar="VAR", help="Environment variable holding the judge's API key."
            ),
            click.option("--concurrency", type=click.IntRange(1, 1024), default=8, show_default=True),
        ]
    ):
        f = option(f)
    return f


def _build(
    judge_specs: tuple[str, ...],
    judge_url: str | None,
    judge_model: str | None,
    judge_api_key_env: str | None,
    concurrency: int,
) -> list[Any]:
    context = JudgeContext(
        judge_url=judge_url,
        judge_model=judge_model,
        judge_api_key=api_key_from_env(judge_api_key_env),
        concurrency=concurrency,
    )
    specs = [JudgeSpec.parse(s) for s in judge_specs] or [JudgeSpec("refusal")]
    return [build_judge(s, context) for s in specs]


@click.group(cls=_JudgeGroup)
def judge() -> None:
    """Judge answers offline or with a judge model; calibrate a judge on human labels.

    \b
    aibeian judge --judge refusal ANSWERS.jsonl          (same as: aibeian judge apply …)
    aibeian judge calibrate LABELS.jsonl --judge refusal
    """


@judge.command("apply")
@click.argument(
    "input_path", metavar="INPUT.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_judge_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write JSONL here (default stdout).",
)
def apply_cmd(
    input_path: Path,
    judge_specs: tuple[str, ...],
    judge_url: str | None,
    judge_model: str | None,
    judge_api_key_env: str | None,
    concurrency: int,
    output: Path | None,
) -> None:
    """Judge {"id", "prompt", "response"} lines (a run's items.jsonl works too) without calling any target.

    Writes one JSON line per input: id, verdicts, and the outcome when the line has a "kind".
    """
    lines = load_answers(input_path)
    judges = _build(judge_specs, judge_url, judge_model, judge_api_key_env, concurrency)
    answered = [a for a in lines if a.error is None]
    judged = asyncio.run(judge_all(judges, [a.input for a in answered], concurrency=concurrency))
    by_line = {a.line: vs for a, vs in zip(answered, judged, strict=True)}
    out = []
    for answer in lines:
        if answer.error is not None:  # a run item whose target failed stays an error, never a pass
            record: dict[str, Any] = {"id": answer.input.id, "verdicts": [], "outcome": "error"}
            record["reason"] = f"no answer to judge: {answer.error}"
            out.append(json.dumps(record, ensure_ascii=False))
            continue
        vs = by_line[answer.line]
        record = {"id": answer.input.id, "verdicts": [v.to_dict() for v in vs]}
        if answer.input.kind in ("generation", "should_refuse", "should_not_refuse"):
            record["outcome"], record["reason"] = decide(answer.input.kind, vs)
        out.append(json.dumps(record, ensure_ascii=False))
    text = "\n".join(out) + ("\n" if out else "")
    if output is None:
        click.echo(text, nl=False)
    else:
        atomic_write_text(output, text)


@judge.command("calibrate")
@click.argument(
    "labels_path", metavar="LABELS.jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@_judge_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--min-accuracy", type=click.FloatRange(0, 1), help="Exit 1 when accuracy is below this.")
def calibrate_cmd(
    labels_path: Path,
    judge_specs: tuple[str, ...],
    judge_url: str | None,
    judge_model: str | None,
    judge_api_key_env: str | None,
    concurrency: int,
    fmt: str,
    min_accuracy: float | None,
) -> None:
    """Accuracy, precision/recall per class and a confusion matrix of a judge against human labels.

    LABELS.jsonl: {"id", "prompt", "response", "label"}; label is refusal | partial | compliance
    (XSTest's 1_full_compliance / 2_full_refusal / 3_partial_refusal are accepted) or safe | unsafe.
    """
    if len(judge_specs) > 1:
        raise InputError("calibrate measures one judge at a time", field="--judge")
    lines = load_answers(labels_path, require_label=True)
    if not lines:  # an accuracy of "—" with exit 0 would pass a --min-accuracy gate on nothing
        raise InputError(
            "no labelled answers in the file",
            path=str(labels_path),
            expected='JSON lines {"id", "prompt", "response", "label"}',
        )
    gold = {a.label for a in lines}
    dimension = "refusal" if gold <= set(REFUSAL_LABELS) else "safe"
    if dimension == "safe" and not gold <= {"safe", "unsafe"}:
        raise InputError(
            "labels mix refusal labels and safe/unsafe labels", path=str(labels_path), field="label"
        )
    judges = _build(judge_specs, judge_url, judge_model, judge_api_key_env, concurrency)
    name = judges[0].name
    verdicts = asyncio.run(judge_all(judges, [a.input for a in lines], concurrency=concurrency))
    labels = list(REFUSAL_LABELS) if dimension == "refusal" else ["safe", "unsafe"]
    pairs = [(str(a.label), predicted_label(vs[0], dimension)) for a, vs in zip(lines, verdicts, strict=True)]
    result = {"judge": name, "dimension": dimension, **calibration(pairs, labels)}
    if fmt == "json":
        echo_json(result)
    else:
        _print(result)
    if min_accuracy is not None and (result["accuracy"] or 0) < min_accuracy:
        raise SystemExit(1)


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def _print(result: dict[str, Any]) -> None:
    out = console()
    out.print(
        f"judge [bold]{result['judge']}[/] on {result['n']} labelled answers: accuracy [bold]{_f(result['accuracy'])}[/]"
        + (
            f", binary (refused vs answered) {_f(result['binary_accuracy'])}"
            if "binary_accuracy" in result
            else ""
        )
    )
    classes = Table(title="per class")
    for col in ("class", "precision", "recall", "F1", "support"):
        classes.add_column(col)
    for c, m in result["per_class"].items():
        classes.add_row(c, _f(m["precision"]), _f(m["recall"]), _f(m["f1"]), str(m["support"]))
    out.print(classes)
    confusion = Table(title="confusion (rows: human, columns: judge)")
    confusion.add_column("human \\ judge")
    columns = [*result["labels"], "none"]
    for c in columns:
        confusion.add_column(c)
    for g in result["labels"]:
        confusion.add_row(g, *[str(result["confusion"][g][c]) for c in columns])
    out.print(confusion)
