"""``aibeian checklist …``: the cross-law compliance checklist (PIPL, DSL, CSL, AI rules) and its gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import click

from aibeian.checklist import (
    applicable_items,
    check_answers,
    load_checklist,
    load_triage_result,
    render_items,
    render_result,
)
from aibeian.checklist._models import Law
from aibeian.checklist._render import item_dict
from aibeian.cli._output import echo_json, lang_option

_FORMAT = click.Choice(["text", "json", "markdown"])
_LAW = click.Choice(["pipl", "dsl", "csl", "ai"])


def _common(f: Any) -> Any:
    f = lang_option("Language of the text.")(f)
    f = click.option(
        "--format", "fmt", type=_FORMAT, default="text", show_default=True, help="Output format."
    )(f)
    f = click.option("--law", type=_LAW, help="Only one law's items: pipl, dsl, csl or ai.")(f)
    return click.option(
        "--triage",
        "triage_path",
        type=click.Path(path_type=Path),
        help="A triage result (aibeian triage FILE --format json): only the items its filings and roles need.",
    )(f)


@click.group()
def checklist() -> None:
    """Cross-law compliance checklist: PIPL, DSL, CSL and the AI rules (zh + en, with status).

    Items carry their article, the filings and roles they apply to, the evidence a reviewer expects and
    the dossier field they feed. Status: confirmed = checked in the law text or the project's spec;
    reported = a stored copy of the rule or practitioners say it; unverified = article number not checked.
    """


@checklist.command("show")
@_common
def show_cmd(triage_path: Path | None, law: str | None, fmt: str, lang: str) -> None:
    """The items that apply (all of them without --triage), grouped by law, blocking ones marked."""
    cl = load_checklist()
    triage = load_triage_result(triage_path) if triage_path else None
    items = applicable_items(cl, triage, cast(Law | None, law))
    language = cast(Literal["zh", "en"], lang)
    if fmt == "json":
        echo_json({"applicable": len(items), "items": [item_dict(cl, it, triage, language) for it in items]})
        return
    text = render_items(cl, items, triage=triage, fmt=cast(Literal["text", "markdown"], fmt), lang=language)
    click.echo(text, nl=False)
    if triage is not None and not triage.filings:
        # "0 items" alone reads like a bug: say why, and that the laws themselves still apply
        click.echo(
            "注：该分诊结果无需办理任何备案，因此未选出检查项；个人信息保护法等法律义务仍然适用，"
            "去掉 --triage 可查看全部检查项。"
            if language == "zh"
            else "Note: this triage result calls for no filing, so no item is selected; the laws themselves "
            "(PIPL, DSL, CSL) still apply — drop --triage to see every item.",
            err=True,
        )


@checklist.command("answer")
@click.argument("answers_file", type=click.Path(path_type=Path))
@_common
def answer_cmd(answers_file: Path, triage_path: Path | None, law: str | None, fmt: str, lang: str) -> None:
    """Validate an answers file (item_id: yes|no|na, or {answer, evidence, note}) and print the gaps.

    Gaps are the applicable items answered no or not at all, those that block a filing first. Evidence
    paths are relative to the answers file's folder and must exist. Exit 2 on any problem in the file.
    """
    language = cast(Literal["zh", "en"], lang)
    triage = load_triage_result(triage_path) if triage_path else None
    result = check_answers(answers_file, triage=triage, law=cast(Law | None, law), lang=language)
    if fmt == "json":
        echo_json(result.to_json_dict())
        return
    click.echo(render_result(result, fmt=cast(Literal["text", "markdown"], fmt), lang=language), nl=False)
