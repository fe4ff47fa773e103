"""``aibeian triage``: which filings apply, from an answers file or asked interactively."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from aibeian.cli._output import echo_json, lang_option
from aibeian.errors import InputError
from aibeian.files import atomic_write_text
from aibeian.standards import Question
from aibeian.triage import TriageResult, assess, load_answers, render_markdown, render_text
from aibeian.triage._interactive import answers_to_yaml, ask_questionnaire, validate_raw


def _prompt(q: Question, lang: Literal["zh", "en"], default: Any) -> Any:
    text = q.zh if lang == "zh" else q.en
    if q.type == "bool":
        return click.confirm(text, default=bool(default))
    if q.type == "integer":
        return click.prompt(text, type=click.IntRange(min=0), default=default)
    values = q.choice_values()
    labels = [c if isinstance(c, str) else f"{c.value} — {c.zh if lang == 'zh' else c.en}" for c in q.choices]
    click.echo(text)
    for i, label in enumerate(labels, 1):
        click.echo(f"  {i}. {label}")
    if q.type == "choice":
        index = values.index(default) + 1 if default in values else 1
        picked = click.prompt("#", type=click.IntRange(1, len(values)), default=index)
        return values[picked - 1]
    hint = "编号，用逗号分隔，留空为无" if lang == "zh" else "numbers separated by commas, empty for none"
    default_text = ",".join(str(values.index(v) + 1) for v in default)
    while True:
        raw = click.prompt(f"# ({hint})", default=default_text, show_default=bool(default_text))
        try:
            picked_many = [int(x) for x in raw.replace("，", ",").split(",") if x.strip()]
        except ValueError:
            picked_many = [0]
        if all(1 <= p <= len(values) for p in picked_many):
            return [values[p - 1] for p in picked_many]
        click.echo("?")


def _print(result: TriageResult, fmt: str) -> None:
    if fmt == "json":
        echo_json(result.to_json_dict())
    elif fmt == "markdown":
        click.echo(render_markdown(result), nl=False)
    else:
        click.echo(render_text(result), nl=False)


@click.command()
@click.argument("answers_file", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@lang_option("Language of the result.")
@click.option(
    "--interactive", "-i", is_flag=True, help="Ask the questions one by one instead of reading a file."
)
@click.option(
    "--readiness/--no-readiness",
    default=True,
    show_default=True,
    help="With --interactive: also ask the readiness questions.",
)
@click.option(
    "--save", type=click.Path(path_type=Path), help="With --interactive: save the answers file here."
)
def triage(
    answers_file: Path | None,
    fmt: str,
    lang: Literal["zh", "en"],
    interactive: bool,
    readiness: bool,
    save: Path | None,
) -> None:
    """Decide which filings apply (算法备案 / 大模型备案 / 生成式AI登记), in which role, through which
    review path, with which documents, prerequisites, blockers and timeline.

    ANSWERS_FILE is a YAML or JSON answers file (keys in docs/triage.md). With --interactive the
    questions are asked in the terminal (Chinese by default) and you can save the answers file.
    Exit code 2 on a bad answers file, with every problem named by file, line and key.
    """
    if interactive == (answers_file is not None):
        raise click.UsageError("give either ANSWERS_FILE or --interactive")
    if answers_file is not None:
        _print(assess(load_answers(answers_file), lang=lang), fmt)
        return
    raw = ask_questionnaire(_prompt, lang=lang, readiness=readiness)
    answers = validate_raw(raw)
    _print(assess(answers, lang=lang), fmt)
    target = save
    if target is None and click.confirm(
        "保存回答文件？" if lang == "zh" else "Save the answers file?", default=True
    ):
        target = Path(click.prompt("文件名" if lang == "zh" else "File name", default="triage-answers.yaml"))
    if target is not None:
        if target.exists() and not click.confirm(f"{target} exists; overwrite?", default=False):
            raise InputError("not overwritten", path=str(target))
        atomic_write_text(target, answers_to_yaml(raw))
        click.echo(f"saved {target}")
