"""How a set of banks measures up against the quotas of TC260-003 / GB/T 45654-2025.

Every number comes from the packaged standards data, so a revised standard is a data change, not a code change.
Exact duplicates count once toward quotas; candidates (machine-made, not yet accepted) do not count at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aibeian.banks._items import KINDS, BankItem, Kind
from aibeian.banks._normalise import find_duplicates
from aibeian.standards import Standards, load_standards

_TOTAL_KEYS: dict[Kind, str] = {
    "generation": "generation_bank_min_total",
    "should_refuse": "should_refuse_bank_min_total",
    "should_not_refuse": "non_refusal_bank_min_total",
}


@dataclass
class Coverage:
    """The result of ``banks check``; ``to_dict`` is the documented JSON shape."""

    kinds: dict[str, dict[str, Any]]
    per_risk: dict[str, dict[str, Any]]
    short: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.short and not any(p["severity"] == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kinds": self.kinds,
            "per_risk": self.per_risk,
            "short": self.short,
            "problems": self.problems,
            "ok": self.ok,
        }


def _threshold_int(standards: Standards, key: str) -> int:
    return int(standards.threshold(key).value)


def _consistency(items: Sequence[BankItem], standards: Standards) -> list[dict[str, Any]]:
    refuse_scope = {r.id for r in standards.risks if r.should_refuse_scope}
    problems: list[dict[str, Any]] = []

    def add(item: BankItem, message: str) -> None:
        problems.append(
            {
                "type": "inconsistent",
                "severity": "error",
                "ids": [item.id],
                "path": item.path,
                "line": item.line,
                "message": message,
            }
        )

    for item in items:
        if item.kind == "should_refuse" and item.risk not in refuse_scope:
            add(item, f"should_refuse item has risk {item.risk}, outside the should-refuse scope (A.1, A.2)")
        if item.kind == "should_not_refuse" and item.aspect is None:
            add(
                item, "should_not_refuse item has no aspect (N.1 … N.13), so it counts toward no aspect quota"
            )
        if item.kind != "should_not_refuse" and item.aspect is not None:
            add(item, f"{item.kind} item has an aspect; aspects belong to should_not_refuse items")
    return problems


def check_coverage(
    items: Sequence[BankItem],
    *,
    standards: Standards | None = None,
    kinds: Sequence[Kind] = KINDS,
    near_duplicate_threshold: float = 0.85,
) -> Coverage:
    """Count accepted items per kind, risk and aspect against every quota, and find duplicates."""
    standards = standards or load_standards()
    accepted = [i for i in items if i.accepted]
    duplicates = find_duplicates([(i.id, i.text()) for i in accepted], threshold=near_duplicate_threshold)
    exact_dupes = {d.second for d in duplicates if d.exact}
    counted = [i for i in accepted if i.id not in exact_dupes]
    problems: list[dict[str, Any]] = []
    for d in duplicates:
        problems.append(
            {
                "type": "duplicate" if d.exact else "near_duplicate",
                "severity": "error" if d.exact else "warning",
                "ids": [d.first, d.second],
                "similarity": d.similarity,
                "message": (
                    "same prompt after normalisation; counted once"
                    if d.exact
                    else f"prompts {d.similarity:.0%} similar (3-gram Jaccard)"
                ),
            }
        )
    problems.extend(_consistency(accepted, standards))

    by_kind = Counter(i.kind for i in counted)
    candidates = Counter(i.kind for i in items if i.status == "candidate")
    per_kind_risk = Counter((i.kind, i.risk) for i in counted)
    per_aspect = Counter(i.aspect for i in counted if i.kind == "should_not_refuse" and i.aspect)
    short: list[dict[str, Any]] = []
    kinds_out: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        need = _threshold_int(standards, _TOTAL_KEYS[kind])
        entry: dict[str, Any] = {
            "count": by_kind[kind],
            "min": need,
            "ok": by_kind[kind] >= need,
            "checked": kind in kinds,
            "candidates": candidates[kind],
        }
        if kind == "should_not_refuse":
            aspect_min = _threshold_int(standards, "non_refusal_bank_min_per_aspect")
            entry["per_aspect"] = {
                a.id: {
                    "zh": a.zh,
                    "count": per_aspect[a.id],
                    "min": aspect_min,
                    "ok": per_aspect[a.id] >= aspect_min,
                }
                for a in standards.should_not_refuse_aspects
            }
        kinds_out[kind] = entry
        if kind in kinds and by_kind[kind] < need:
            short.append({"kind": kind, "risk": None, "aspect": None, "count": by_kind[kind], "min": need})
        if kind == "should_not_refuse" and kind in kinds:
            for aspect_id, a in entry["per_aspect"].items():
                if not a["ok"]:
                    short.append(
                        {
                            "kind": kind,
                            "risk": None,
                            "aspect": aspect_id,
                            "count": a["count"],
                            "min": a["min"],
                        }
                    )

    per_risk: dict[str, dict[str, Any]] = {}
    for r in standards.risks:
        gen = per_kind_risk[("generation", r.id)]
        ref = per_kind_risk[("should_refuse", r.id)]
        per_risk[r.id] = {
            "zh": r.zh,
            "en": r.en,
            "generation": gen,
            "generation_min": r.generation_bank_min,
            "should_refuse": ref if r.should_refuse_scope else None,
            "should_refuse_min": r.should_refuse_min if r.should_refuse_scope else None,
        }
        if "generation" in kinds and gen < r.generation_bank_min:
            short.append(
                {
                    "kind": "generation",
                    "risk": r.id,
                    "aspect": None,
                    "count": gen,
                    "min": r.generation_bank_min,
                }
            )
        if "should_refuse" in kinds and r.should_refuse_scope and ref < (r.should_refuse_min or 0):
            short.append(
                {
                    "kind": "should_refuse",
                    "risk": r.id,
                    "aspect": None,
                    "count": ref,
                    "min": r.should_refuse_min,
                }
            )
    return Coverage(kinds=kinds_out, per_risk=per_risk, short=short, problems=problems)
