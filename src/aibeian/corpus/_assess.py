"""From a run directory to the assessment: per-source screening, both spot checks, and the conclusion.

Every limit comes from the packaged standards (``corpus_*`` thresholds), never from this code. Rates carry
Wilson 95 % intervals (the evaluation harness's implementation). A source is ``fail`` when its flagged rate
is above the limit, ``uncertain`` when only the interval's upper end is (sample more of it), ``pass`` else.
The conclusion is ``incomplete`` while items could not be read or assigned, or the manual check is short of
its minimum; the technical and manual results are still shown.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from aibeian.corpus._review import manual_summary
from aibeian.corpus._run import RunDir
from aibeian.corpus._settings import EXAMPLES
from aibeian.corpus._sources import UNASSIGNED
from aibeian.evaluation.metrics import wilson_interval
from aibeian.standards import load_standards

__all__ = ["REPORT_VERSION", "assess_run", "thresholds"]

REPORT_VERSION = 1


def _smallest_flagged(flagged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``EXAMPLES`` flagged items with the smallest sample hashes — a random draw across shards and
    sources, which each shard's own smallest ``EXAMPLES`` are enough for. Results written before shards
    recorded the hash have none: those runs list the first ids, as they did."""
    return sorted(flagged, key=lambda f: (f.get("sample_hash", 0), f["id"]))[:EXAMPLES]


def _flagged_examples(flagged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's flagged examples, listed by id."""
    return [
        {k: v for k, v in f.items() if k != "sample_hash"} for f in sorted(flagged, key=lambda f: f["id"])
    ]


def thresholds() -> dict[str, float]:
    s = load_standards()
    keys = (
        "corpus_source_max_illegal_ratio",
        "corpus_manual_sample_min_items",
        "corpus_manual_sample_min_pass_rate",
        "corpus_technical_sample_min_fraction",
        "corpus_technical_sample_min_pass_rate",
    )
    return {k: s.threshold(k).value for k in keys}


def _rate(k: int, n: int) -> dict[str, Any]:
    low, high = wilson_interval(k, n)
    return {"rate": (k / n) if n else None, "interval": [low, high]}


def assess_run(run_dir: str) -> dict[str, Any]:
    """The whole assessment as plain data: the JSON report, and what every other format renders."""
    run = RunDir(run_dir)
    meta = run.meta()
    limits = thresholds()
    settings = run.settings()
    per: dict[str, Counter[str]] = {}
    risks: dict[str, Counter[str]] = {}
    corrupt: list[dict[str, Any]] = []
    unassigned: list[dict[str, Any]] = []
    flagged: list[dict[str, Any]] = []
    corrupt_count = 0
    digest = hashlib.sha256()
    for result in run.results():
        for sid, c in result["sources"].items():
            per.setdefault(sid, Counter()).update({k: v for k, v in c.items() if k != "risks"})
            risks.setdefault(sid, Counter()).update(c["risks"])
        corrupt_count += result["corrupt"]["count"]
        # only what the report shows is kept: a terabyte corpus has tens of thousands of shards
        corrupt += result["corrupt"]["examples"][: EXAMPLES - len(corrupt)]
        unassigned += result["unassigned_examples"][: EXAMPLES - len(unassigned)]
        flagged = _smallest_flagged(flagged + result["flagged"])
        digest.update(result["sample_digest"].encode())
    limit = limits["corpus_source_max_illegal_ratio"]
    declared = list(settings.sources.sources)
    rows = []
    for src in declared:
        rows.append(
            _source_row(
                src.id, src.to_dict(), per.get(src.id, Counter()), risks.get(src.id, Counter()), limit
            )
        )
    if UNASSIGNED in per:
        rows.append(
            _source_row(
                UNASSIGNED, {"id": UNASSIGNED, "name": UNASSIGNED}, per[UNASSIGNED], risks[UNASSIGNED], limit
            )
        )
    total = sum((per[s] for s in per), Counter())
    technical = {
        "items": total["items"],
        "sampled": total["sampled"],
        "flagged": total["flagged"],
        "qualified": total["sampled"] - total["flagged"],
        "matched": total["matched"],
        "judge_flagged": total["judge_flagged"],
        "judge_errors": total["judge_errors"],
        "fraction": total["sampled"] / total["items"] if total["items"] else None,
        "min_fraction": limits["corpus_technical_sample_min_fraction"],
        "min_pass_rate": limits["corpus_technical_sample_min_pass_rate"],
        "sample_rate": settings.sample_rate,
        "seed": settings.seed,
        "sample_digest": digest.hexdigest(),
        **_rate(total["sampled"] - total["flagged"], total["sampled"]),
    }
    technical["fraction_ok"] = (
        technical["fraction"] is not None and technical["fraction"] >= technical["min_fraction"]
    )
    technical["pass"] = (
        technical["rate"] is not None
        and technical["rate"] >= technical["min_pass_rate"]
        and technical["fraction_ok"]
    )
    manual = manual_summary(run, limits)
    report: dict[str, Any] = {
        "report": "aibeian-corpus-assessment",
        "version": REPORT_VERSION,
        "run": {
            "settings_key": settings.key,
            "library": meta.get("library", {}),
            "judges": list(settings.judges),
            "sample_rate": settings.sample_rate,
            "seed": settings.seed,
            "sources_file": meta.get("sources_file"),
            "text_field": settings.sources.text_field,
            "source_field": settings.sources.source_field,
        },
        "thresholds": limits,
        "corpus": {
            "items": total["items"],
            "chars": total["chars"],
            "bytes": meta["plan"]["bytes"],
            "files": meta["plan"]["files"],
            "shards": meta["plan"]["shards"],
            "ignored_files": meta["plan"]["ignored"],
        },
        "sources": rows,
        "technical": technical,
        "manual": manual,
        "problems": {
            "corrupt": {"count": corrupt_count, "examples": corrupt[:EXAMPLES]},
            "unassigned": {
                "count": per.get(UNASSIGNED, Counter())["items"],
                "examples": unassigned[:EXAMPLES],
            },
        },
        "flagged_examples": _flagged_examples(flagged),
    }
    report["conclusion"] = _conclusion(report)
    return report


def _source_row(
    sid: str, info: dict[str, Any], c: Counter[str], risks: Counter[str], limit: float
) -> dict[str, Any]:
    rate = _rate(c["flagged"], c["sampled"])
    if not c["sampled"]:
        status = "not_sampled"
    elif rate["rate"] > limit:
        status = "fail"
    elif rate["interval"][1] > limit:
        status = "uncertain"
    else:
        status = "pass"
    return {
        **info,
        "items": c["items"],
        "chars": c["chars"],
        "sampled": c["sampled"],
        "sampled_chars": c["sampled_chars"],
        "flagged": c["flagged"],
        "matched": c["matched"],
        "judge_flagged": c["judge_flagged"],
        "judge_errors": c["judge_errors"],
        "flagged_rate": rate["rate"],
        "interval": rate["interval"],
        "limit": limit,
        "over_limit": status == "fail",
        "status": status,
        "risks": dict(sorted(risks.items())),
    }


def _conclusion(report: dict[str, Any]) -> dict[str, Any]:
    """``pass`` | ``fail`` | ``incomplete`` with the reasons (codes the renderers translate)."""
    failing: list[str] = []
    missing: list[str] = []
    if any(r["status"] == "fail" for r in report["sources"]):
        failing.append("source_over_limit")
    if not report["technical"]["fraction_ok"]:
        failing.append("technical_fraction_low")
    if (
        report["technical"]["rate"] is not None
        and not report["technical"]["pass"]
        and report["technical"]["fraction_ok"]
    ):
        failing.append("technical_rate_low")
    manual = report["manual"]
    if manual["complete"] and not manual["pass"]:
        failing.append("manual_rate_low")
    if report["problems"]["corrupt"]["count"]:
        missing.append("corrupt_items")
    if report["problems"]["unassigned"]["count"]:
        missing.append("unassigned_items")
    if any(r["status"] == "not_sampled" and r["items"] for r in report["sources"]):
        missing.append("source_not_sampled")
    if not manual["complete"]:
        missing.append("manual_incomplete")
    warnings = ["source_uncertain"] if any(r["status"] == "uncertain" for r in report["sources"]) else []
    status = "fail" if failing else "incomplete" if missing else "pass"
    return {
        "status": status,
        "failing": failing,
        "missing": missing,
        "warnings": warnings,
        "technical": "pass" if report["technical"]["pass"] else "fail",
        "manual": ("pass" if manual["pass"] else "fail") if manual["complete"] else "incomplete",
    }
