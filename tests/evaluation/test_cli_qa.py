"""Regressions found by QA on `eval run` as a new user would type it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli
from evaluation.bankdata import ok, write_bank
from evaluation.fake_openai import FakeOpenAI
from evaluation.test_cli import eval_args


def test_target_without_http_is_refused_before_any_run_directory(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城")])
    out = tmp_path / "run"
    args = ["eval", "run", str(bank), "--target", "127.0.0.1:8000/v1", "--model", "m", "--out", str(out)]
    r = CliRunner().invoke(cli, [*args, "--no-progress"])
    assert r.exit_code == 2
    assert "'127.0.0.1:8000/v1' is not an http:// or https:// URL" in r.output
    assert "attempts" not in r.output  # not retried like a network error
    assert not out.exists()


def test_resume_with_other_arguments_names_what_changed(tmp_path: Path, server: FakeOpenAI) -> None:
    bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城")])
    out = tmp_path / "run"
    assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
    args = eval_args(bank, server, out)
    args[args.index("m")] = "other-model"
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert "target.model: 'm' → 'other-model'" in r.output


def test_calibrate_on_an_empty_file_is_an_error_not_a_pass(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n", encoding="utf-8")
    r = CliRunner().invoke(
        cli, ["judge", "calibrate", str(labels), "--judge", "refusal", "--min-accuracy", "0.9"]
    )
    assert r.exit_code == 2
    assert "labels.jsonl: no labelled answers in the file" in r.output
