"""The ```console examples in docs/*.md that start with `$ aibeian …`: found, run and compared in one place.

`make docs` refreshes their output (scripts/refresh_doc_examples.py) and the test suite runs them and
compares verbatim, so both must read the blocks the same way — including commands continued over several
lines with a trailing backslash, as a shell would read them.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"```console\n\$ (aibeian (?:[^\n]*\\\n)*[^\n]*)\n(.*?)```", flags=re.S)


def command_args(command: str) -> list[str]:
    """Split like a shell (continuation lines joined) and anchor `examples/…` paths at the repository root."""
    joined = re.sub(r"\\\n\s*", " ", command)
    args = shlex.split(joined)[1:]
    return [str(REPO / a) if a.startswith("examples/") else a for a in args]


def run(command: str) -> str:
    return CliRunner().invoke(cli, command_args(command)).output


def examples(text: str) -> Iterator[tuple[str, str]]:
    """(command as written, output as written) for every example block in ``text``."""
    for match in BLOCK.finditer(text):
        yield match.group(1), match.group(2)


def refresh(text: str) -> str:
    return BLOCK.sub(lambda m: f"```console\n$ {m.group(1)}\n{run(m.group(1))}```", text)
