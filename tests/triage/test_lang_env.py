"""AIBEIAN_LANG (docs/settings.md) picks the language of triage, checklist, eval report and dossier build
output when --lang is not given (QA found it ignored: every command printed Chinese)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
ANSWERS = str(REPO / "examples" / "triage" / "fine_tuned_chatbot.yaml")


@pytest.mark.parametrize(
    ("args", "english", "chinese"),
    [
        (["triage", ANSWERS], "Filing triage result", "备案分诊结果"),
        (["checklist", "show", "--law", "dsl"], "Compliance checklist", "合规检查清单"),
    ],
)
def test_aibeian_lang_sets_the_default(args: list[str], english: str, chinese: str) -> None:
    en = CliRunner().invoke(cli, args, env={"AIBEIAN_LANG": "en"})
    assert en.exit_code == 0, en.output
    assert english in en.output and chinese not in en.output
    flag_wins = CliRunner().invoke(cli, [*args, "--lang", "zh"], env={"AIBEIAN_LANG": "en"})
    assert chinese in flag_wins.output


def test_a_wrong_aibeian_lang_is_named() -> None:
    r = CliRunner().invoke(cli, ["triage", ANSWERS], env={"AIBEIAN_LANG": "fr"})
    assert r.exit_code == 2
    assert "AIBEIAN_LANG" in r.output and "'fr' is not one of 'zh', 'en'" in r.output


@pytest.mark.parametrize("command", [["eval", "report"], ["dossier", "build"]])
def test_report_and_dossier_help_name_the_variable(command: list[str]) -> None:
    r = CliRunner().invoke(cli, [*command, "--help"])
    assert "AIBEIAN_LANG" in r.output
