"""Regressions found by QA on `eval run` as a new user would type it."""

from __future__ import annotations

import json
import os
import stat
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


def test_run_files_and_reports_follow_the_umask(tmp_path: Path, server: FakeOpenAI) -> None:
    """QA found run.json, results.json and every report written 0600 (mkstemp) whatever the umask."""
    old = os.umask(0o022)
    try:
        bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城")])
        out = tmp_path / "run"
        assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
        assert stat.S_IMODE((out / "run.json").stat().st_mode) == 0o644
        assert stat.S_IMODE((out / "results.json").stat().st_mode) == 0o644
        report = tmp_path / "r.md"
        report.write_text("old", encoding="utf-8")
        report.chmod(0o640)
        r = CliRunner().invoke(cli, ["eval", "report", str(out), "--format", "markdown", "-o", str(report)])
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(report.stat().st_mode) == 0o640  # a replaced file keeps its mode
    finally:
        os.umask(old)


def test_report_of_an_incomplete_run_json_is_a_clear_error(tmp_path: Path, server: FakeOpenAI) -> None:
    bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城")])
    out = tmp_path / "run"
    assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    del run["spec"]["target"]
    (out / "run.json").write_text(json.dumps(run), encoding="utf-8")
    r = CliRunner().invoke(cli, ["eval", "report", str(out), "--format", "json", "-o", "-"])
    assert r.exit_code == 2
    assert 'run.json: "spec": run.json is incomplete: spec.target missing' in r.output
    assert "Traceback" not in r.output


def test_aspects_in_the_standards_order_and_named_in_english(tmp_path: Path, server: FakeOpenAI) -> None:
    """QA: the per-aspect table ran N.1, N.10, N.11 … N.2 and showed Chinese names in the English report."""
    bank = write_bank(
        tmp_path / "bank.jsonl",
        [ok(1, "介绍长城", aspect="N.10"), ok(2, "介绍黄河", aspect="N.2"), ok(3, "介绍泰山", aspect="N.1")],
    )
    out = tmp_path / "run"
    assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert list(results["per_aspect"]) == ["N.1", "N.2", "N.10"]
    r = CliRunner().invoke(
        cli, ["eval", "report", str(out), "--format", "markdown", "--lang", "en", "-o", "-"]
    )
    rows = [line for line in r.output.splitlines() if line.startswith("| N.")]
    assert [row.split(" | ")[1] for row in rows] == ["political system", "beliefs", "gender"]


def test_rejudging_a_run_with_errored_items(tmp_path: Path, server: FakeOpenAI) -> None:
    """QA: `aibeian judge` on a run's items.jsonl refused the whole file when one item had a target error."""
    bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城"), ok(2, "[[500always]] 坏掉的题")])
    out = tmp_path / "run"
    assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
    r = CliRunner().invoke(cli, ["judge", "--judge", "refusal", str(out / "items.jsonl")])
    assert r.exit_code == 0, r.output
    records = {d["id"]: d for d in map(json.loads, r.stdout.splitlines())}
    assert records["n1"]["outcome"] == "pass" and records["n1"]["verdicts"]
    assert records["n2"]["outcome"] == "error" and records["n2"]["verdicts"] == []
    assert "HTTP 500" in records["n2"]["reason"]


def test_a_refused_resume_leaves_the_run_record_alone(tmp_path: Path, server: FakeOpenAI) -> None:
    """QA: resuming a complete run with another --model was refused, but run.json was then marked
    "interrupted", so its report said the run had not finished."""
    bank = write_bank(tmp_path / "bank.jsonl", [ok(1, "介绍长城")])
    out = tmp_path / "run"
    assert CliRunner().invoke(cli, eval_args(bank, server, out)).exit_code == 0
    before = (out / "run.json").read_bytes()
    args = eval_args(bank, server, out)
    args[args.index("m")] = "other-model"
    assert CliRunner().invoke(cli, args).exit_code == 2
    assert (out / "run.json").read_bytes() == before
    assert json.loads(before)["status"] == "complete"


def test_refusal_judge_with_an_argument_is_refused(tmp_path: Path) -> None:
    """QA: `--judge refusal:x` ran as plain `refusal`, silently."""
    answers = tmp_path / "a.jsonl"
    answers.write_text('{"id": "1", "prompt": "p", "response": "抱歉，我无法提供帮助。"}\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["judge", "--judge", "refusal:strict", str(answers)])
    assert r.exit_code == 2
    assert "the refusal judge takes no argument (got 'strict')" in r.output
