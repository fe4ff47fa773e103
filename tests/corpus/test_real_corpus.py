"""The whole CLI workflow on a real corpus: the PRC laws (cn-laws-corpus, Markdown files) read in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli

SOURCES = """\
sources:
  - id: criminal
    name: 刑法及修正案
    paths: ["刑法/**"]
    licence: 法律文本不受著作权保护（著作权法第五条）
    provenance: cn-laws-corpus
  - id: civil
    name: 民法典、民商法
    paths: ["民法典/**", "民法商法/**"]
    licence: 同上
  - id: other-laws
    name: 其他法律
    paths: ["宪法/**", "宪法相关法/**", "社会法/**", "经济法/**", "行政法/**", "诉讼与非诉讼程序法/**"]
    licence: 同上
  - id: readme
    name: 说明文件
    paths: ["*.md"]
"""


@pytest.mark.slow
def test_cli_workflow_on_the_laws_corpus(external_dir: Path, tmp_path: Path) -> None:
    laws = external_dir / "cn-laws-corpus"
    if not laws.is_dir():
        pytest.skip("cn-laws-corpus is not available")
    (tmp_path / "s.yaml").write_text(SOURCES, encoding="utf-8")
    (tmp_path / "k.csv").write_text(
        "keyword,risk\n赌博,A.1.8\n毒品,A.1.8\n恐怖活动,A.1.4\n", encoding="utf-8"
    )
    out = tmp_path / "run"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "corpus",
            "scan",
            str(laws),
            "--sources",
            str(tmp_path / "s.yaml"),
            "--keywords",
            str(tmp_path / "k.csv"),
            "--out",
            str(out),
            "--workers",
            "2",
            "--format",
            "json",
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    md_files = [p for p in laws.rglob("*.md")]
    assert report["corpus"]["items"] == len(md_files)
    assert report["corpus"]["chars"] == sum(
        len(p.read_text(encoding="utf-8").removeprefix("\ufeff")) for p in md_files
    )
    assert report["corpus"]["ignored_files"] == [f"{laws}/SHA256SUMS"]
    assert report["technical"]["fraction"] >= 0.1
    criminal = next(s for s in report["sources"] if s["id"] == "criminal")
    assert criminal["items"] == len(list((laws / "刑法").glob("*.md")))
    result = runner.invoke(
        cli, ["corpus", "sample", str(out), "--n", "50", "--out", str(tmp_path / "r.jsonl")]
    )
    assert result.exit_code == 0, result.output
    drawn = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(drawn) == 50 and all(d["text"] for d in drawn)
    result = runner.invoke(cli, ["corpus", "report", str(out), "--format", "markdown"])
    assert result.exit_code == 0 and "刑法及修正案" in result.output
