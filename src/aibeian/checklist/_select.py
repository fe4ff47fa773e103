"""Which items apply: the triage result's filings and roles select them, and the few conditions a triage
can tell (generative, recommendation algorithms, public-opinion attributes) rule items in or out. The rest
(minors, cross-border transfers, sensitive data…) stay open: the item is listed with its condition and the
user answers ``na`` when it does not hold — an adviser asks rather than guesses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from aibeian.checklist._loader import Checklist
from aibeian.checklist._models import ChecklistItem, Law
from aibeian.errors import InputError, Problem
from aibeian.files import load_structured
from aibeian.triage import TriageResult

_GENERATIVE_ALGORITHMS = {"generation_synthesis"}


@dataclass(frozen=True)
class Scope:
    """What a triage result says about the service: its (filing, role) pairs and the conditions it settles."""

    filings: frozenset[tuple[str, str]]
    known: dict[str, bool]

    def open_conditions(self, item: ChecklistItem) -> list[str]:
        return [c for c in item.applies_to.when if c not in self.known]


def scope_of(triage: TriageResult) -> Scope:
    pairs = frozenset((f.type, f.role) for f in triage.filings)
    algorithms = {f.algorithm for f in triage.filings if f.type == "algorithm" and f.algorithm}
    generative = any(f.type in ("genai", "registration") for f in triage.filings) or bool(
        algorithms & _GENERATIVE_ALGORITHMS
    )
    known = {
        "generative": generative,
        "recommendation": bool(algorithms - _GENERATIVE_ALGORITHMS),
        "public_opinion": triage.security_assessment.required,
    }
    return Scope(filings=pairs, known=known)


def _provider_processes_pi(scope: Scope) -> bool:
    """A public service with users always handles some personal information (accounts, logs the CSL makes
    it keep, prompts), so for a provider the condition holds; a B2B supporter must say."""
    return any(role == "provider" for _, role in scope.filings)


def applies(item: ChecklistItem, scope: Scope | None) -> bool:
    if scope is None:
        return True
    a = item.applies_to
    if not any(ftype in a.filings and role in a.roles for ftype, role in scope.filings):
        return False
    for cond in a.when:
        if cond == "processes_personal_information" and _provider_processes_pi(scope):
            continue
        if scope.known.get(cond) is False:
            return False
    return True


def applicable_items(
    checklist: Checklist, triage: TriageResult | None = None, law: Law | None = None
) -> list[ChecklistItem]:
    """The items that apply to the triage's filings and roles (all items without a triage), in file order."""
    scope = scope_of(triage) if triage is not None else None
    return [it for it in checklist.items if (law is None or it.law == law) and applies(it, scope)]


def open_conditions(item: ChecklistItem, triage: TriageResult | None) -> list[str]:
    """The item's conditions the triage could not settle: the user answers ``na`` where they do not hold."""
    if triage is None:
        return list(item.applies_to.when)
    scope = scope_of(triage)
    return [
        c
        for c in scope.open_conditions(item)
        if not (c == "processes_personal_information" and _provider_processes_pi(scope))
    ]


def load_triage_result(path: str | os.PathLike[str]) -> TriageResult:
    """A result written by ``aibeian triage --format json``; a wrong shape names the file, line and key."""
    p = Path(path)
    if not p.is_file():
        raise InputError("the triage result file does not exist", path=str(p), field="--triage")
    doc = load_structured(p)
    if not isinstance(doc.data, dict) or "filings" not in doc.data:
        raise InputError(
            "not a triage result", path=str(p), expected="the output of aibeian triage FILE --format json"
        )
    try:
        return TriageResult.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            key = tuple(e["loc"])
            problems.append(
                Problem(
                    e["msg"],
                    path=str(p),
                    line=doc.line_of(key),
                    field=".".join(map(str, key)),
                    expected="the output of aibeian triage FILE --format json",
                )
            )
        raise InputError(problems=problems) from None
