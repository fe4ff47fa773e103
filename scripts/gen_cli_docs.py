"""Regenerate docs/cli.md from the commands' own --help text (run: make docs)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aibeian.cli.main import cli

OUT = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def walk(command: click.Command, path: list[str]) -> list[tuple[list[str], click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            assert sub is not None
            found += walk(sub, [*path, name])
    return found


def render() -> str:
    parts = [
        "# Command reference\n",
        "Generated from each command's `--help` by `make docs` (scripts/gen_cli_docs.py); do not edit by hand.\n",
    ]
    for path, command in walk(cli, ["aibeian"]):
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        parts.append(f"## `{' '.join(path)}`\n")
        parts.append("```text\n" + command.get_help(ctx) + "\n```\n")
    return "\n".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/cli.md is out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
