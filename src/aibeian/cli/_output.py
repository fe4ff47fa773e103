"""Shared output plumbing for commands: one console, JSON printed the same way everywhere."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console

FORMAT_TABLE_JSON = click.Choice(["table", "json"])


def console() -> Console:
    """A console on stdout that wraps for humans; width is rich's guess, never narrower than 100."""
    c = Console(soft_wrap=False, highlight=False)
    if c.width < 100:
        c = Console(width=100, highlight=False)
    return c


def echo_json(data: Any) -> None:
    """Print JSON with Chinese kept readable (no \\u escapes) and a stable key order."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
