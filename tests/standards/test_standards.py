"""The packaged regulatory facts: complete, validated, equal to ../shared/spec/, printed zh + en."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.errors import StandardsDataError
from aibeian.standards import DATA_FILES, _loader, data_text, load_standards


def test_thirty_one_risks_in_five_groups() -> None:
    s = load_standards()
    assert len(s.risks) == 31 and s.risk_ids()[0] == "A.1.1" and s.risk_ids()[-1] == "A.5.2"
    assert [g.id for g in s.groups] == ["A.1", "A.2", "A.3", "A.4", "A.5"]
    assert len(s.keyword_risks()) == 17
    assert s.risk("A.2.3").en.startswith("Discrimination by country")
    assert len(s.should_not_refuse_aspects) == 13
    with pytest.raises(KeyError):
        s.risk("A.9.9")


def test_thresholds_filings_documents() -> None:
    s = load_standards()
    assert s.threshold("generated_content_eval_min_pass_rate").value == 0.9
    assert s.threshold("should_refuse_eval_min_refusal_rate").value == 0.95
    assert s.threshold("non_refusal_eval_max_refusal_rate").value == 0.05
    assert {f.id for f in s.filings} == {"algorithm", "genai", "registration"}
    assert s.document("keyword-list").zh == "拦截关键词列表"
    assert s.filing("genai").review_levels == ["provincial", "national"]
    assert all(t.status in ("confirmed", "reported", "unverified") for t in s.thresholds)
    for missing in (s.threshold, s.document, s.filing):
        with pytest.raises(KeyError):
            missing("nope")


def test_packaged_copy_equals_the_shared_spec(shared_dir: Path) -> None:
    spec = shared_dir / "spec"
    shared = sorted(p.name for p in spec.glob("*.yaml"))
    assert shared == sorted(DATA_FILES), (
        "a spec file was added or removed: update standards/data and DATA_FILES"
    )
    for name in DATA_FILES:
        assert data_text(name) == (spec / name).read_text(encoding="utf-8"), (
            f"{name} differs from ../shared/spec"
        )


def test_shared_spec_checker_passes(shared_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(shared_dir / "spec" / "check_spec.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bad_packaged_data_is_a_standards_error(monkeypatch: pytest.MonkeyPatch) -> None:
    original = _loader.data_text

    def broken(name: str) -> str:
        text = original(name)
        return text.replace("count: 8", "count: 9", 1) if name == "risks.yaml" else text

    monkeypatch.setattr(_loader, "data_text", broken)
    load_standards.cache_clear()
    try:
        with pytest.raises(StandardsDataError, match=r"group A\.1 says 9 risks, has 8"):
            load_standards()
        monkeypatch.setattr(
            _loader, "data_text", lambda name: "risks: [oops" if name == "risks.yaml" else original(name)
        )
        with pytest.raises(StandardsDataError, match="malformed YAML"):
            load_standards()
        monkeypatch.setattr(
            _loader,
            "data_text",
            lambda name: (
                original(name).replace("keyword_scope: true", "keyword_scope: perhaps", 1)
                if name == "risks.yaml"
                else original(name)
            ),
        )
        with pytest.raises(StandardsDataError, match="keyword_scope"):
            load_standards()
    finally:
        load_standards.cache_clear()


@pytest.mark.parametrize("what", ["risks", "thresholds", "documents", "filings"])
def test_cli_prints_json_and_tables(what: str) -> None:
    runner = CliRunner()
    as_json = runner.invoke(cli, ["standards", what, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)
    table = runner.invoke(cli, ["standards", what])
    assert table.exit_code == 0, table.output


def test_cli_risks_show_chinese_and_english_with_status() -> None:
    out = CliRunner().invoke(cli, ["standards", "risks"]).output
    assert "煽动颠覆国家政权" in out and "Inciting subversion" in out and "confirmed" in out
    data = json.loads(CliRunner().invoke(cli, ["standards", "risks", "--format", "json"]).output)
    assert len(data["risks"]) == 31 and data["risks"][0]["zh"].startswith("煽动")


def test_cli_filters() -> None:
    runner = CliRunner()
    keywords = json.loads(
        runner.invoke(cli, ["standards", "thresholds", "--area", "keywords", "--format", "json"]).output
    )
    assert keywords["thresholds"] and all(t["area"] == "keywords" for t in keywords["thresholds"])
    reg = json.loads(
        runner.invoke(cli, ["standards", "documents", "--filing", "registration", "--format", "json"]).output
    )
    ids = {d["id"] for d in reg["documents"]}
    assert "registration-form" in ids and "genai-application-form" not in ids
    assert "unverified" in runner.invoke(cli, ["standards", "thresholds"]).output
