from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "dossier"


def write_eval_run(path: Path, *, content: float, refusal: float, over: float, n: int = 1000) -> Path:
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
        json.dumps({"format": RUN_FORMAT, "run_id": path.name, "status": "complete"}), encoding="utf-8"
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
