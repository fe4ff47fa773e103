"""The root command. It turns our errors into one clear message and an exit code, never a traceback."""

from __future__ import annotations

import importlib
from typing import Any

import click
from rich.console import Console

from aibeian.errors import AibeianError, InputError

CONTEXT_SETTINGS = {
    "help_option_names": ["-h", "--help"],
    "auto_envvar_prefix": "AIBEIAN",
    "max_content_width": 100,
}


def report_error(exc: AibeianError, console: Console) -> None:
    """Print an error the way every command does: a header line, then one line per problem."""
    if isinstance(exc, InputError) and len(exc.problems) > 1:
        console.print(f"[bold red]error:[/] {len(exc.problems)} problems found", highlight=False)
        for p in exc.problems:
            console.print(f"  - {p}", highlight=False, markup=False)
    else:
        console.print("[bold red]error:[/] ", end="", highlight=False)
        console.print(str(exc), highlight=False, markup=False)


# Each command's module is imported only when that command runs (or help lists it): importing them all
# (pyarrow, FastAPI, SQLAlchemy, pypinyin, Pillow…) cost seconds before every command.
COMMANDS = {
    "banks": "aibeian.cli.banks:banks",
    "checklist": "aibeian.cli.checklist:checklist",
    "complaints": "aibeian.cli.complaints:complaints",
    "corpus": "aibeian.cli.corpus:corpus",
    "display-check": "aibeian.cli.obligations:display_check_cmd",
    "doctor": "aibeian.cli.doctor:doctor",
    "dossier": "aibeian.cli.dossier:dossier",
    "eval": "aibeian.cli.eval:eval_group",
    "filing-number": "aibeian.cli.obligations:filing_number",
    "judge": "aibeian.cli.judge:judge",
    "keywords": "aibeian.cli.keywords:keywords",
    "label": "aibeian.cli.label:label",
    "obligations": "aibeian.cli.obligations:obligations",
    "serve": "aibeian.cli.serve:serve",
    "standards": "aibeian.cli.standards:standards",
    "triage": "aibeian.cli.triage:triage",
    "users": "aibeian.cli.users:users",
    "worker": "aibeian.cli.worker:worker",
}


class AibeianGroup(click.Group):
    """A click group whose commands' AibeianErrors become a message on stderr and the error's exit code,
    the same under the console script and under click's test runner; its commands load lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), attr), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AibeianError as exc:
            report_error(exc, Console(stderr=True, soft_wrap=True))
            ctx.exit(exc.exit_code)


@click.group(cls=AibeianGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="aibeian", prog_name="aibeian")  # read only for --version
def cli() -> None:
    """aibeian — 中国AI服务备案工作台 / a workbench for China's CAC filings for AI services.

    Triage the filings (算法备案, 大模型备案, 生成式AI登记); build and check the keyword library; evaluate
    the model on the test banks; assess the training corpus; write and verify AIGC labels; draft the
    dossier; keep up the obligations and complaints after the filing — from the command line or the
    web workbench (aibeian serve). Start with `aibeian doctor` to see what this installation can do.
    """


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="aibeian")
