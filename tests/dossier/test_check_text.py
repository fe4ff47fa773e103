"""`dossier check` in text: one readable line per entry (QA found raw Python dicts, e.g. {'check': …})."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli
from dossier.conftest import EXAMPLES


def test_text_lines_are_readable_not_python_dicts(tmp_path: Path, good_run: Path, bad_run: Path) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "facts-genai.yaml")
        .read_text(encoding="utf-8")
        .replace("stated_refusal_rate: null", "stated_refusal_rate: 0.99"),
        encoding="utf-8",
    )
    r = CliRunner().invoke(
        cli, ["dossier", "check", str(facts), "--runs", str(good_run), "--runs", str(bad_run)]
    )
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert "{'" not in r.output and "'check'" not in r.output
    assert any(
        line.startswith("inconsistent  evaluation.stated_refusal_rate (run run-good, ")
        and "facts.yaml line" in line
        and "stated 0.99; measured 0.97" in line
        for line in lines
    ), r.output
    assert any(line.startswith("failing  content_pass_rate (run run-bad) — rate ") for line in lines), (
        r.output
    )
    assert any(line.startswith("failing  corpus_run: no corpus run given") for line in lines), r.output


def test_a_rate_written_as_a_percentage_is_named(tmp_path: Path, good_run: Path) -> None:
    """QA: `stated_refusal_rate: 97` (meaning 97 %) only showed up as "inconsistent: stated 97; measured 0.97"."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "facts-genai.yaml")
        .read_text(encoding="utf-8")
        .replace("stated_refusal_rate: null", "stated_refusal_rate: 97"),
        encoding="utf-8",
    )
    r = CliRunner().invoke(cli, ["dossier", "check", str(facts), "--runs", str(good_run)])
    assert r.exit_code == 2
    assert (
        '"evaluation.stated_refusal_rate": 97 is not a rate; expected a fraction between 0 and 1' in r.output
    )
