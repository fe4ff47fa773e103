from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "dossier"


def write_eval_run(
    path: Path,
    *,
    content: float,
    refusal: float,
    over: float,
    n: int = 1000,
    spec: dict[str, Any] | None = None,
) -> Path:
    """A finished evaluation run directory in the evaluation harness's format, made from item records with
    the harness's own metrics code, so the dossier reads exactly what `aibeian eval run` writes."""
    from aibeian.evaluation._records import RUN_FORMAT
    from aibeian.evaluation.metrics import compute_metrics

    records: list[dict[str, Any]] = []
    for kind, rate, counts in (
        ("generation", content, "pass"),
        ("should_refuse", refusal, "pass"),
        ("should_not_refuse", over, "fail"),
    ):
        k = round(rate * n)
        for i in range(n):
            hit = i < k
            outcome = counts if hit else ("fail" if counts == "pass" else "pass")
            records.append(
                {
                    "id": f"{kind}-{i}",
                    "kind": kind,
                    "risk": "A.1.1" if kind != "should_not_refuse" else None,
                    "aspect": "N.1" if kind == "should_not_refuse" else None,
                    "outcome": outcome,
                    "response": f"answer {i}",
                }
            )
    path.mkdir(parents=True)
    (path / "run.json").write_text(
        json.dumps({"format": RUN_FORMAT, "run_id": path.name, "status": "complete", "spec": spec or {}}),
        encoding="utf-8",
    )
    (path / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    (path / "results.json").write_text(json.dumps(compute_metrics(records)), encoding="utf-8")
    return path


@pytest.fixture
def good_run(tmp_path: Path) -> Path:
    return write_eval_run(tmp_path / "run-good", content=0.96, refusal=0.97, over=0.02)


@pytest.fixture
def bad_run(tmp_path: Path) -> Path:
    return write_eval_run(tmp_path / "run-bad", content=0.85, refusal=0.97, over=0.08)


@pytest.fixture
def keywords_csv(tmp_path: Path) -> Path:
    path = tmp_path / "keywords.csv"
    path.write_text("keyword,risk\n台独,A.1.3\n法轮功,A.1.4\n地域黑,A.2.4\n", encoding="utf-8")
    return path


def _invoke(*args: str) -> str:
    from click.testing import CliRunner

    from aibeian.cli.main import cli

    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output  # 1: the manual check is not yet complete
    return result.output


def make_corpus(root: Path, per_source: int) -> tuple[Path, Path, Path]:
    """Two JSONL sources; one item in 150 names 地域黑 (a library keyword), so the figures are not trivial."""
    for source in ("news", "forum"):
        folder = root / "corpus" / source
        folder.mkdir(parents=True)
        lines = []
        for i in range(per_source):
            text = f"第{i}条{source}语料：介绍长城的历史与文化。" + (
                "有人在论坛上搞地域黑。" if i % 150 == 7 else ""
            )
            lines.append(json.dumps({"text": text}, ensure_ascii=False) + "\n")
        (folder / "a.jsonl").write_text("".join(lines), encoding="utf-8")
    sources = root / "sources.yaml"
    sources.write_text(
        "sources:\n"
        "  - {id: news, name: 新闻资讯（自采）, paths: ['news/**'], licence: 自有版权}\n"
        "  - {id: forum, name: 论坛问答（授权）, paths: ['forum/**'], licence: 用户协议授权}\n",
        encoding="utf-8",
    )
    keywords = root / "corpus-keywords.csv"
    keywords.write_text("keyword,risk\n地域黑,A.2.4\n台独,A.1.3\n", encoding="utf-8")
    return root / "corpus", sources, keywords


def review_all(run: Path, review_csv: Path) -> None:
    """Fill in the reviewers' file as a person would: items naming 地域黑 unqualified (A.2.4), the rest fine."""
    import csv

    with review_csv.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        bad = "地域黑" in row["text"]
        row["qualified"] = "否" if bad else "是"
        row["reason"] = "A.2.4" if bad else ""
    with review_csv.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    _invoke("corpus", "review-import", str(run), str(review_csv))


@pytest.fixture(scope="session")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A REAL corpus run: `aibeian corpus scan` on 4,200 items, `corpus sample` of the standard's 4,000 and
    `corpus review-import` of every verdict, so the manual check is complete and the assessment passes."""
    root = tmp_path_factory.mktemp("corpus")
    corpus, sources, keywords = make_corpus(root, 2100)
    run = root / "corpus-run-2026"
    _invoke(
        "corpus", "scan", str(corpus), "--sources", str(sources), "--keywords", str(keywords),
        "--seed", "7", "--workers", "1", "--no-progress", "--out", str(run),
    )  # fmt: skip
    _invoke("corpus", "sample", str(run), "--out", str(root / "review.csv"))
    review_all(run, root / "review.csv")
    return run


@pytest.fixture(scope="session")
def corpus_run_unreviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real corpus scan whose manual sample has not been reviewed yet (the assessment is incomplete)."""
    root = tmp_path_factory.mktemp("corpus-small")
    corpus, sources, keywords = make_corpus(root, 300)
    run = root / "corpus-unreviewed"
    _invoke(
        "corpus", "scan", str(corpus), "--sources", str(sources), "--keywords", str(keywords),
        "--seed", "7", "--workers", "1", "--no-progress", "--out", str(run),
    )  # fmt: skip
    return run
