"""Evidence must be files (QA: a folder was accepted and the dossier's evidence index cited it with an empty
SHA-256)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aibeian.checklist import load_answers
from aibeian.errors import InputError


def test_a_folder_as_evidence_is_named(tmp_path: Path) -> None:
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "logs.md").write_text("日志留存六个月", encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "csl.logs.six_months: {answer: yes, evidence: evidence}\n"
        "pipl.security.measures: {answer: yes, evidence: [evidence/logs.md]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        load_answers(answers)
    assert len(err.value.problems) == 1
    problem = err.value.problems[0]
    assert problem.line == 1 and "evidence evidence is a folder, not a file" in str(problem)


def test_show_explains_an_empty_selection(tmp_path: Path) -> None:
    """QA: for a service that needs no filing, `checklist show --triage` printed "适用: 0 项" and nothing else."""
    from click.testing import CliRunner

    from aibeian.cli.main import cli

    repo = Path(__file__).resolve().parents[2]
    runner = CliRunner()
    triage = runner.invoke(
        cli, ["triage", str(repo / "examples/triage/internal_assistant.yaml"), "--format", "json"]
    )
    assert triage.exit_code == 0
    (tmp_path / "t.json").write_text(triage.stdout, encoding="utf-8")
    r = runner.invoke(cli, ["checklist", "show", "--triage", str(tmp_path / "t.json"), "--lang", "en"])
    assert r.exit_code == 0
    assert "applicable: 0 items" in r.stdout
    assert "calls for no filing" in r.stderr and "drop --triage" in r.stderr
