"""The weekly keyword duty reads the real release history of a store made by ``aibeian keywords release``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.obligations import load_config, obligations_for

REPO = Path(__file__).resolve().parents[2]
LIBRARY = REPO / "examples" / "keywords" / "library.csv"
NEXT = REPO / "examples" / "keywords" / "library_next.csv"


def _release(runner: CliRunner, library: Path, store: Path, day: str) -> None:
    result = runner.invoke(cli, ["keywords", "release", str(library), "--store", str(store), "--date", day])
    assert result.exit_code == 0, result.output


def _store(tmp_path: Path) -> Path:
    """Three real releases: 11-02, 11-09, then nothing until 11-23 (the week of 11-16 was missed)."""
    runner = CliRunner()
    store = tmp_path / "releases"
    work = tmp_path / "lib.csv"
    work.write_bytes(LIBRARY.read_bytes())
    _release(runner, work, store, "2026-11-02")
    work.write_bytes(NEXT.read_bytes())
    _release(runner, work, store, "2026-11-09")
    work.write_bytes(LIBRARY.read_bytes())
    _release(runner, work, store, "2026-11-23")
    return store


def _config_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "obligations.yaml"
    path.write_text(
        "filings:\n- {id: genai-a, type: genai, number: Beijing-ShiLi-202503010001, approved: 2025-03-01}\n"
        + extra,
        encoding="utf-8",
    )
    return path


def test_keyword_store_in_the_file_flags_the_missed_week(tmp_path: Path) -> None:
    _store(tmp_path)
    config = load_config(_config_file(tmp_path, "keyword_store: releases\n"))
    assert [d.isoformat() for d in config.keyword_releases] == ["2026-11-02", "2026-11-09", "2026-11-23"]
    duty = next(d for d in obligations_for(config, today=dt.date(2026, 11, 25)) if d.id == "keyword_update")
    assert duty.due is not None and duty.due.isoformat() == "2026-11-30"
    assert duty.missed == ["2026-11-09 → 2026-11-23 (14 days)"]
    assert duty.note.startswith("last release 2026-11-23")


def test_cli_keyword_store_option_and_exit_code(tmp_path: Path) -> None:
    store = _store(tmp_path)
    config = _config_file(tmp_path, "")
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "obligations",
            "list",
            str(config),
            "--today",
            "2026-11-25",
            "--keyword-store",
            str(store),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output  # a week was missed
    duty = next(d for d in json.loads(result.output)["duties"] if d["id"] == "keyword_update")
    assert duty["missed"] == ["2026-11-09 → 2026-11-23 (14 days)"]
    # without the store the history is unknown, and says where it would come from
    result = runner.invoke(
        cli, ["obligations", "list", str(config), "--today", "2026-11-25", "--format", "json"]
    )
    duty = next(d for d in json.loads(result.output)["duties"] if d["id"] == "keyword_update")
    assert duty["state"] == "unknown" and "keyword_store" in duty["note"]


def test_missing_or_empty_store_is_a_clear_error(tmp_path: Path) -> None:
    runner = CliRunner()
    config = _config_file(tmp_path, "keyword_store: nowhere\n")
    result = runner.invoke(cli, ["obligations", "list", str(config)])
    assert result.exit_code != 0 and "keyword release store does not exist" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(
        cli, ["obligations", "list", str(_config_file(tmp_path, "keyword_store: empty\n"))]
    )
    assert result.exit_code != 0 and "holds no release" in result.output
    result = runner.invoke(
        cli, ["obligations", "list", str(_config_file(tmp_path, "keyword_store: [1, 2]\n"))]
    )
    assert result.exit_code != 0 and "keyword_store" in result.output
