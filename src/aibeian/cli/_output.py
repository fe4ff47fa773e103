"""Shared output plumbing for commands: one console, JSON printed the same way everywhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from click.decorators import FC
from rich.console import Console

FORMAT_TABLE_JSON = click.Choice(["table", "json"])


def lang_option(help: str | None = None) -> Callable[[FC], FC]:
    """``--lang zh|en`` (default zh, or ``AIBEIAN_LANG``): one definition for every command that writes text."""
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        envvar="AIBEIAN_LANG",
        show_envvar=True,
        help=help,
    )


def console() -> Console:
    """A console on stdout: the terminal's width for a person, 200 columns when piped to a file or a tool so
    tables of Chinese text are not folded into unreadable slivers."""
    c = Console(highlight=False)
    if not c.is_terminal:
        c = Console(width=200, highlight=False)
    return c


def echo_json(data: Any) -> None:
    """Print JSON with Chinese kept readable (no \\u escapes) and a stable key order."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def apply_holiday_file(settings: Any = None) -> None:
    """Give a command that computes working-day deadlines the provider's holiday file (``AIBEIAN_HOLIDAYS``),
    if one is set; a mistake in it is reported before the command does anything."""
    from aibeian.obligations import use_holiday_file
    from aibeian.settings import Settings

    use_holiday_file((settings if settings is not None else Settings()).holidays)
