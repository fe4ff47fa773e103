from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from aibeian.cli.main import cli

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


@pytest.fixture
def run_triage(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """Write an answers file (BASE with overrides), run `aibeian triage FILE --format json`, return the JSON."""

    def run(*args: str, drop: tuple[str, ...] = (), **overrides: Any) -> dict[str, Any]:
        answers = {k: v for k, v in {**BASE, **overrides}.items() if k not in drop}
        path = tmp_path / "answers.yaml"
        path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
        result = CliRunner().invoke(cli, ["triage", str(path), "--format", "json", *args])
        assert result.exit_code == 0, result.output
        data: dict[str, Any] = json.loads(result.output)
        return data

    return run


@pytest.fixture
def invoke() -> Callable[..., Result]:
    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=input)

    return run
