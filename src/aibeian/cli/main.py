"""The root command. It turns our errors into one clear message and an exit code, never a traceback."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console

from aibeian import __version__
from aibeian.cli.banks import banks
from aibeian.cli.checklist import checklist
from aibeian.cli.complaints import complaints
from aibeian.cli.corpus import corpus
from aibeian.cli.doctor import doctor
from aibeian.cli.dossier import dossier
from aibeian.cli.eval import eval_group
from aibeian.cli.judge import judge
from aibeian.cli.keywords import keywords
from aibeian.cli.label import label
from aibeian.cli.obligations import display_check_cmd, filing_number, obligations
from aibeian.cli.serve import serve
from aibeian.cli.standards import standards
from aibeian.cli.triage import triage
from aibeian.cli.users import users
from aibeian.cli.worker import worker
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


class AibeianGroup(click.Group):
    """A click group whose commands' AibeianErrors become a message on stderr and the error's exit code,
    the same under the console script and under click's test runner."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AibeianError as exc:
            report_error(exc, Console(stderr=True, soft_wrap=True))
            ctx.exit(exc.exit_code)


@click.group(cls=AibeianGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="aibeian")
def cli() -> None:
    """aibeian — 中国AI服务备案工作台 / a workbench for China's CAC filings for AI services.

    Triage which filings apply (算法备案, 大模型备案, 生成式AI登记), and read the regulatory facts
    the tool checks against.
    """


cli.add_command(corpus)
cli.add_command(standards)
cli.add_command(triage)
cli.add_command(label)
cli.add_command(dossier)
cli.add_command(filing_number)
cli.add_command(display_check_cmd)
cli.add_command(obligations)
cli.add_command(complaints)
cli.add_command(banks)
cli.add_command(eval_group)
cli.add_command(judge)
cli.add_command(serve)
cli.add_command(users)
cli.add_command(checklist)
cli.add_command(keywords)
cli.add_command(worker)
cli.add_command(doctor)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="aibeian")
