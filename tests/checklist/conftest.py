"""Triage results built by the real triage from answers, so selection is tested against what users get."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from aibeian.cli.main import cli
from aibeian.triage import TriageResult, assess, load_answers

BASE: dict[str, Any] = {
    "entity_type": "domestic_company",
    "public_in_china": True,
    "public_opinion_or_mobilization": True,
    "generative": True,
    "modalities": ["text"],
    "model_source": "fine_tuned",
    "provides_to_businesses": False,
    "other_algorithms": [],
    "registered_users": 50000,
    "handles_sensitive_content": False,
    "icp": "filing",
}

MakeTriage = Callable[..., TriageResult]


@pytest.fixture
def make_triage(tmp_path: Path) -> MakeTriage:
    """A triage result for BASE answers with overrides (e.g. model_source="filed_api")."""

    def make(**overrides: Any) -> TriageResult:
        path = tmp_path / "triage-answers.yaml"
        path.write_text(yaml.safe_dump({**BASE, **overrides}, allow_unicode=True), encoding="utf-8")
        return assess(load_answers(path))

    return make


@pytest.fixture
def triage_file(tmp_path: Path, make_triage: MakeTriage) -> Callable[..., Path]:
    """The same, written as `aibeian triage --format json` would, for CLI tests."""

    def write(**overrides: Any) -> Path:
        path = tmp_path / "triage.json"
        path.write_text(make_triage(**overrides).model_dump_json(indent=2), encoding="utf-8")
        return path

    return write


@pytest.fixture
def invoke() -> Callable[..., Result]:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    return run
