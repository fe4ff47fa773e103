"""Refresh the output of every ```console block that starts with `$ aibeian …` in docs/*.md.

Run from the repository root (make docs). Tests run the same commands and compare the output verbatim, so
the docs never drift from what the tool prints.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli

BLOCK = re.compile(r"```console\n\$ (aibeian [^\n]+)\n(.*?)```", flags=re.S)


def refresh(text: str) -> str:
    def run(match: re.Match[str]) -> str:
        command = match.group(1)
        result = CliRunner().invoke(cli, shlex.split(command)[1:])
        return f"```console\n$ {command}\n{result.output}```"

    return BLOCK.sub(run, text)


def main() -> int:
    docs = Path(__file__).resolve().parents[1] / "docs"
    for path in sorted(docs.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = refresh(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"refreshed {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
