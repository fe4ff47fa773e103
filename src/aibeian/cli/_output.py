"""Shared output plumbing for commands: one console, JSON printed the same way everywhere."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console

FORMAT_TABLE_JSON = click.Choice(["table", "json"])


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
