"""Completeness and consistency of a dossier before it is built: empty fields per document, stated figures
that differ from the runs, runs that are missing, unfinished or fail a threshold, an evaluation run made on
other banks than the ones filed, and the compliance checklist's gaps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.dossier._checklist import ChecklistUse
from aibeian.dossier._facts import Facts
from aibeian.dossier._runs import EVALUATION_METRICS, RunSummary
from aibeian.dossier._schema import fields_for
from aibeian.errors import InputError
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
    checklist_gaps: list[dict[str, Any]] = field(default_factory=list)
    checklist: dict[str, Any] | None = None

    @property
    def ready(self) -> bool:
        return not (self.missing or self.inconsistent or self.failing or self.checklist_gaps)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "missing": self.missing,
            "inconsistent": self.inconsistent,
            "failing": self.failing,
            "ready": self.ready,
            "checklist_gaps": self.checklist_gaps,
        }
        if self.checklist is not None:
            out["checklist"] = self.checklist
        return out


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


def _sha256(path: Path) -> str:
    from aibeian.dossier._package import sha256_file

    if not path.is_file():
        raise InputError("bank file not found", path=str(path), field="--banks")
    return sha256_file(path)


def bank_mismatches(runs: list[RunSummary], banks: list[Path]) -> list[dict[str, Any]]:
    """Evaluation runs made on a bank file that is not among the ones filed (compared by sha256, the bank's
    version: the same bank under another path is the same bank; an edited one is not). A run on some of the
    filed banks is fine — banks are often evaluated one run each."""
    if not banks:
        return []
    filed = {_sha256(b): str(b) for b in banks}
    out = []
    for run in runs:
        if run.kind != "evaluation" or not run.bank_hashes:
            continue
        if set(run.bank_hashes) - set(filed):
            out.append(
                {
                    "field": "--banks",
                    "run": run.run_id,
                    "run_banks": [
                        {"path": b.get("path"), "sha256": b.get("sha256")} for b in run.spec.get("banks", [])
                    ],
                    "filed_banks": [{"path": path, "sha256": h} for h, path in filed.items()],
                    "why": "评估运行所用题库与申报的题库不一致 / the run was made on other banks than those filed",
                }
            )
    return out


def _unevaluated_banks(runs: list[RunSummary], banks: list[Path]) -> list[dict[str, Any]]:
    """Filed banks no evaluation run used — known only when every evaluation run records its banks."""
    evaluations = [r for r in runs if r.kind == "evaluation"]
    if not banks or not evaluations or not all(r.bank_hashes for r in evaluations):
        return []
    used = {h for r in evaluations for h in r.bank_hashes}
    left = [str(b) for b in banks if _sha256(b) not in used]
    if not left:
        return []
    return [
        {"check": "bank_not_evaluated", "files": left, "why": "no evaluation run was made on these banks"}
    ]


def _corpus_failures(facts: Facts, runs: list[RunSummary]) -> list[dict[str, Any]]:
    """A GenAI filing's self-assessment needs a finished corpus assessment that passes every check."""
    corpus = [r for r in runs if r.kind == "corpus"]
    if facts.filing == "genai" and "security-self-assessment" in facts.documents and not corpus:
        return [
            {
                "check": "corpus_run",
                "why": "no corpus run given (--runs CORPUS_RUN_DIR of aibeian corpus scan)",
            }
        ]
    failing: list[dict[str, Any]] = []
    for run in corpus:
        report = run.report
        conclusion = report.get("conclusion", {})
        for reason in [*conclusion.get("failing", []), *conclusion.get("missing", [])]:
            entry: dict[str, Any] = {"check": f"corpus_{reason}", "run": run.run_id}
            if reason == "source_over_limit":
                entry["sources"] = [
                    {"id": s["id"], "flagged_rate": s["flagged_rate"], "limit": s["limit"]}
                    for s in report["sources"]
                    if s["status"] == "fail"
                ]
            elif reason.startswith("technical"):
                tech = report["technical"]
                entry.update(
                    rate=tech["rate"],
                    n=tech["sampled"],
                    threshold=tech["min_pass_rate"],
                    fraction=tech["fraction"],
                    min_fraction=tech["min_fraction"],
                )
            elif reason.startswith("manual"):
                manual = report["manual"]
                entry.update(
                    rate=manual["rate"],
                    n=manual["reviewed"],
                    threshold=manual["min_pass_rate"],
                    min_items=manual["min_items"],
                )
            elif reason in ("corrupt_items", "unassigned_items"):
                entry["count"] = report["problems"][reason.removesuffix("_items")]["count"]
            failing.append(entry)
    return failing


def check_dossier(
    facts: Facts,
    runs: list[RunSummary],
    *,
    keywords: Path | None = None,
    banks: list[Path] | None = None,
    checklist: ChecklistUse | None = None,
) -> CheckResult:
    """Everything that stands between the facts and runs and a filing; ``ready`` only when nothing does."""
    result = CheckResult()
    result.failing += _quota_failures(facts, keywords, banks or [])
    result.failing += [
        {"check": "run_status", "run": r.run_id, "status": r.status, "why": "the run did not finish"}
        for r in runs
        if r.status and r.status != "complete"
    ]
    result.inconsistent += bank_mismatches(runs, banks or [])
    result.failing += _unevaluated_banks(runs, banks or [])
    result.failing += _corpus_failures(facts, runs)
    if checklist is not None:
        result.checklist_gaps = list(checklist.gaps)
        result.checklist = checklist.summary()
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
