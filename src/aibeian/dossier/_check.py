"""Completeness and consistency of a dossier before it is built: empty fields per document, stated figures
that differ from the runs, runs that are missing or fail a threshold."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.dossier._facts import Facts
from aibeian.dossier._runs import EVALUATION_METRICS, RunSummary
from aibeian.dossier._schema import fields_for
from aibeian.standards import load_standards

STATED = {
    "content_pass_rate": "evaluation.stated_content_pass_rate",
    "refusal_rate": "evaluation.stated_refusal_rate",
    "over_refusal_rate": "evaluation.stated_over_refusal_rate",
}
# A stated rate that rounds to the run's rate at this many decimals is consistent.
TOLERANCE = 0.0005


@dataclass
class CheckResult:
    missing: list[dict[str, Any]] = field(default_factory=list)
    inconsistent: list[dict[str, Any]] = field(default_factory=list)
    failing: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not (self.missing or self.inconsistent or self.failing)

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing": self.missing,
            "inconsistent": self.inconsistent,
            "failing": self.failing,
            "ready": self.ready,
        }


def _quota_failures(facts: Facts, keywords: Path | None, banks: list[Path]) -> list[dict[str, Any]]:
    """The keyword library and the banks that the filing exports must meet their quotas."""
    failing: list[dict[str, Any]] = []
    if keywords is not None and "keyword-list" in facts.documents:
        from aibeian.keywords import Library, check_library

        coverage = check_library(Library.load(keywords))
        if not coverage.ok:
            failing.append(
                {
                    "check": "keyword_library_quotas",
                    "file": str(keywords),
                    "total": coverage.total,
                    "min_total": coverage.min_total,
                    "short": coverage.short,
                }
            )
    if banks and "evaluation-test-set" in facts.documents:
        from aibeian.banks import check_coverage, load_bank

        bank_coverage = check_coverage(load_bank(banks))
        if not bank_coverage.ok:
            failing.append(
                {"check": "bank_quotas", "files": [str(b) for b in banks], "short": bank_coverage.short}
            )
    return failing


def check_dossier(
    facts: Facts, runs: list[RunSummary], *, keywords: Path | None = None, banks: list[Path] | None = None
) -> CheckResult:
    result = CheckResult()
    result.failing += _quota_failures(facts, keywords, banks or [])
    for doc in facts.documents:
        for f in fields_for([doc]):
            if not f.optional and facts.is_empty(f.path):
                result.missing.append(
                    {"document": doc, "field": f.path, "what": f.zh, "line": facts.lines.get(f.path)}
                )
    signatories = facts.get("signatories") or []
    minimum = int(load_standards().threshold("self_assessment_report_signatories").value)
    if "security-self-assessment" in facts.documents and 0 < len(signatories) < minimum:
        result.inconsistent.append(
            {
                "field": "signatories",
                "stated": len(signatories),
                "expected": f">= {minimum}",
                "why": "安全自评估报告签字人不少于3人（实务）",
            }
        )
    evaluations = [r for r in runs if r.kind == "evaluation"]
    needs_evaluation = facts.filing in ("genai", "registration")
    if needs_evaluation and not evaluations:
        result.failing.append({"check": "evaluation_run", "why": "no evaluation run given (--runs RUN_DIR)"})
    for run in evaluations:
        for name in EVALUATION_METRICS:
            block = run.metrics.get(name)
            if not block:
                continue
            if block.get("meets_threshold") is False or block.get("sample_ok") is False:
                result.failing.append(
                    {
                        "check": name,
                        "run": run.run_id,
                        "rate": block.get("rate"),
                        "n": block.get("n"),
                        "threshold": block.get("threshold"),
                        "comparison": block.get("comparison"),
                        "sample_ok": block.get("sample_ok"),
                    }
                )
            stated = facts.get(STATED[name])
            if (
                stated is not None
                and block.get("rate") is not None
                and abs(float(stated) - float(block["rate"])) > TOLERANCE
            ):
                result.inconsistent.append(
                    {
                        "field": STATED[name],
                        "stated": stated,
                        "run": run.run_id,
                        "measured": round(float(block["rate"]), 4),
                        "line": facts.lines.get(STATED[name]),
                    }
                )
    return result
