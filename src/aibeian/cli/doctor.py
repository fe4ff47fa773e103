"""``aibeian doctor``: what this installation can do, and how to install what is missing."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from aibeian.cli._output import console, echo_json
from aibeian.doctor import run_checks
from aibeian.settings import Settings

STYLE = {"ok": "green", "warn": "yellow", "missing": "yellow", "error": "red"}
WORDS = {
    "zh": (
        "检查项",
        "状态",
        "详情",
        "用途",
        "安装/处理",
        "核心功能可用。",
        "核心功能不可用，请先处理标红的项目。",
    ),
    "en": (
        "check",
        "status",
        "detail",
        "needed for",
        "how to fix",
        "The core works.",
        "The core is broken: fix the red items first.",
    ),
}


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--db", "db_url", help="Database URL to check (default: AIBEIAN_DB_URL or the SQLite file under home)."
)
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (default: AIBEIAN_LANG)."
)
def doctor(fmt: str, db_url: str | None, lang: str | None) -> None:
    """Check this installation: standards data, matcher engine, corpus reader, holiday calendar, database,
    CJK font, ffmpeg, espeak-ng, libturbojpeg and Ray — each with what needs it and how to install it.

    Exit 0 when the core works (missing optional tools only disable their feature), 1 when it does not.
    """
    settings = Settings() if db_url is None else Settings(db_url=db_url)
    checks = run_checks(settings)
    ok = all(c.status == "ok" for c in checks if c.required)
    if fmt == "json":
        echo_json({"checks": [c.to_dict() for c in checks], "ok": ok})
    else:
        chosen = lang or settings.lang
        words = WORDS[chosen]
        table = Table(title="aibeian doctor")
        for col in words[:5]:
            table.add_column(col)
        for c in checks:
            table.add_row(
                escape(c.name),
                f"[{STYLE[c.status]}]{c.status}[/]",
                escape(c.detail),
                escape(c.needed_for_in(chosen)),
                escape(c.hint),
            )
        out = console()
        out.print(table)
        out.print(words[5] if ok else f"[red]{words[6]}[/]")
    if not ok:
        raise SystemExit(1)
