"""The manual spot check: a reproducible stratified draw, verdict import with located errors, and the rule
that the check is not complete below the standard's minimum number of reviewed items."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.corpus.conftest import texts, write_jsonl, write_library

from aibeian.cli.main import cli
from aibeian.corpus import RunDir, assess, assess_run, thresholds

SOURCES = "sources:\n  - id: big\n    paths: [big/**]\n  - id: small\n    paths: [small/**]\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of 6,000 items (4,500 + 1,500) so a full-size manual sample of 4,000 can be drawn."""
    base = tmp_path_factory.mktemp("review")
    write_jsonl(base / "c" / "big" / "a.jsonl", [{"text": t} for t in texts(3000, 0, 1)])
    write_jsonl(base / "c" / "big" / "b.jsonl", [{"text": t} for t in texts(1500, 0, 2)])
    write_jsonl(base / "c" / "small" / "a.jsonl", [{"text": t} for t in texts(1500, 0, 3)])
    (base / "s.yaml").write_text(SOURCES, encoding="utf-8")
    assess(
        [str(base / "c")], sources=base / "s.yaml", keywords=write_library(base / "k.csv"), out=base / "run"
    )
    return base / "run"


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_sample_is_proportional_reproducible_and_written_for_reviewers(run_dir: Path, tmp_path: Path) -> None:
    code, out = _invoke("corpus", "sample", str(run_dir), "--n", "4000", "--out", str(tmp_path / "r.csv"))
    assert code == 0, out
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4000 and len({r["id"] for r in rows}) == 4000
    assert (
        sum(r["source"] == "big" for r in rows) == 3000 and sum(r["source"] == "small" for r in rows) == 1000
    )
    assert all(r["qualified"] == "" and r["text"] for r in rows)
    code, _ = _invoke("corpus", "sample", str(run_dir), "--n", "4000", "--out", str(tmp_path / "r.jsonl"))
    again = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in again] == [r["id"] for r in rows]
    assert [r["text"] for r in again] == [r["text"] for r in rows]


def _fill(src: Path, dst: Path, verdicts: list[tuple[str, str]]) -> None:
    with open(src, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row, (qualified, reason) in zip(rows, verdicts, strict=False):
        row["qualified"], row["reason"] = qualified, reason
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_import_validates_every_row_and_the_minimum_gates_completion(run_dir: Path, tmp_path: Path) -> None:
    assert thresholds()["corpus_manual_sample_min_items"] == 4000
    _invoke("corpus", "sample", str(run_dir), "--n", "4000", "--out", str(tmp_path / "r.csv"))
    bad = tmp_path / "bad.csv"
    _fill(tmp_path / "r.csv", bad, [("yes", ""), ("maybe", ""), ("no", ""), ("否", "A.1.8 赌博")])
    with open(bad, "a", encoding="utf-8") as fh:
        fh.write("nobody:1,big,yes,,x\n")
    code, out = _invoke("corpus", "review-import", str(run_dir), str(bad))
    assert code == 2
    assert "bad.csv line 3" in out and "'maybe' is not a verdict" in out
    assert "bad.csv line 4" in out and "needs a reason" in out
    assert "not in the manual sample" in out
    assert not (run_dir / "reviews.jsonl").exists()  # nothing imported while any row is wrong
    # 3,999 reviewed: a rate is shown, but the manual check is not complete
    part = tmp_path / "part.csv"
    _fill(tmp_path / "r.csv", part, [("no", "A.2.4 地域歧视")] * 100 + [("是", "")] * 3899)
    code, out = _invoke("corpus", "review-import", str(run_dir), str(part))
    assert code == 0 and "3999" in out and "not complete" in out
    report = assess_run(str(run_dir))
    assert report["manual"]["reviewed"] == 3999 and not report["manual"]["complete"]
    assert (
        report["conclusion"]["manual"] == "incomplete"
        and "manual_incomplete" in report["conclusion"]["missing"]
    )
    # the 4,000th verdict completes it; 100 unqualified of 4,000 = 97.5 % ≥ 96 %
    full = tmp_path / "full.csv"
    _fill(tmp_path / "r.csv", full, [("no", "A.2.4 地域歧视")] * 100 + [("是", "")] * 3900)
    _invoke("corpus", "review-import", str(run_dir), str(full))
    manual = assess_run(str(run_dir))["manual"]
    assert manual["complete"] and manual["pass"] and manual["rate"] == pytest.approx(0.975)
    assert manual["interval"][0] < 0.975 < manual["interval"][1]
    assert manual["reasons"] == {"A.2.4 地域歧视": 100}
    # a later verdict for the same item replaces the earlier one: 200 unqualified → 95 % < 96 %
    worse = tmp_path / "worse.csv"
    _fill(tmp_path / "r.csv", worse, [("no", "A.2.4 地域歧视")] * 200)
    _invoke("corpus", "review-import", str(run_dir), str(worse))
    report = assess_run(str(run_dir))
    assert report["manual"]["rate"] == pytest.approx(0.95) and report["conclusion"]["manual"] == "fail"
    assert RunDir(run_dir).meta()["manual_sample"]["allocation"] == {"big": 3000, "small": 1000}
