"""docs/corpus.md walks through examples/corpus: its commands must still print what the guide shows."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from click.testing import CliRunner

from aibeian.cli.main import cli

REPO = Path(__file__).resolve().parents[2]


def _shown(guide: str, command_start: str) -> str:
    """The ```text block that follows the first bash block containing ``command_start``."""
    at = guide.index(command_start)
    block = re.search(r"```text\n(.*?)```", guide[at:], flags=re.S)
    assert block is not None
    return block.group(1)


def test_the_guide_walkthrough_on_the_example_corpus(tmp_path: Path) -> None:
    guide = (REPO / "docs" / "corpus.md").read_text(encoding="utf-8")
    example = REPO / "examples" / "corpus"
    runner = CliRunner()
    run = tmp_path / "run"
    result = runner.invoke(
        cli,
        [
            "corpus",
            "scan",
            str(example / "corpus"),
            "--sources",
            str(example / "sources.yaml"),
            "--keywords",
            str(example / "keywords.csv"),
            "--seed",
            "2026",
            "--out",
            str(run),
            "--workers",
            "1",
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    shown = _shown(guide, "aibeian corpus scan examples/corpus/corpus")
    for line in shown.splitlines():
        if line.startswith("│") or line.startswith("技术抽检"):
            assert line.rstrip() in [x.rstrip() for x in result.output.splitlines()], line
    result = runner.invoke(
        cli, ["corpus", "sample", str(run), "--n", "4000", "--out", str(tmp_path / "review.csv")]
    )
    assert _shown(guide, "aibeian corpus sample run").splitlines()[0].replace(
        "review.csv", ""
    ) in result.output.replace(str(tmp_path / "review.csv"), "")
    with open(tmp_path / "review.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for i, row in enumerate(rows):
        row["qualified"], row["reason"] = ("no", "A.1.8 涉赌") if i < 2 else ("yes", "")
    with open(tmp_path / "review.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(cli, ["corpus", "review-import", str(run), str(tmp_path / "review.csv")])
    assert result.output == _shown(guide, "aibeian corpus review-import run review.csv")
