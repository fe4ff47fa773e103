"""From answers to gaps. A gap is an applicable item answered ``no`` or not at all; gaps are ordered so what
stops a filing comes first, then by severity, then the CAC's own rules before the general laws. ``ready``
means nothing left blocks the filing — the other gaps are still legal duties, just not filing stoppers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from aibeian.checklist._answers import Answers, load_answers
from aibeian.checklist._loader import Checklist, load_checklist
from aibeian.checklist._models import LAWS, SEVERITY_ORDER, ChecklistItem, Lang, Law
from aibeian.checklist._select import applicable_items, load_triage_result, open_conditions
from aibeian.standards import Status
from aibeian.triage import TriageResult


class Gap(BaseModel):
    """An applicable item not done. ``feeds`` says which dossier fields (``measures.labelling``) and
    documents (``doc:service-agreement``) stay incomplete because of it."""

    id: str
    law: Law
    article: str
    text: str
    answer: Literal["no", "missing"]
    blocks_filing: bool
    severity: str
    status: Status
    feeds: tuple[str, ...]
    open_conditions: tuple[str, ...] = ()
    note: str | None = None


class Fulfilled(BaseModel):
    """An item answered ``yes``; with evidence it can fill the dossier sections it feeds."""

    id: str
    law: Law
    feeds: tuple[str, ...]
    evidence: tuple[str, ...]
    note: str | None = None


class LawProgress(BaseModel):
    applicable: int
    answered: int
    gaps: int


class ChecklistResult(BaseModel):
    applicable: int
    answered: int
    gaps: list[Gap]
    ready: bool
    fulfilled: list[Fulfilled] = []
    unevidenced: list[str] = []
    by_law: dict[str, LawProgress] = {}

    def blocking(self) -> list[Gap]:
        return [g for g in self.gaps if g.blocks_filing]

    def to_json_dict(self) -> dict[str, Any]:
        """The contract shape (applicable, answered, gaps[id, law, article, text], ready) plus additions."""
        return {
            "applicable": self.applicable,
            "answered": self.answered,
            "gaps": [
                {
                    "id": g.id,
                    "law": g.law,
                    "article": g.article,
                    "text": g.text,
                    "answer": g.answer,
                    "blocks_filing": g.blocks_filing,
                    "status": g.status,
                    "feeds": list(g.feeds),
                    "open_conditions": list(g.open_conditions),
                }
                for g in self.gaps
            ],
            "ready": self.ready,
            "unevidenced": self.unevidenced,
            "by_law": {k: v.model_dump() for k, v in self.by_law.items()},
        }


def _order(item: ChecklistItem, index: int) -> tuple[int, int, int, int]:
    return (0 if item.blocks_filing else 1, SEVERITY_ORDER[item.severity], LAWS.index(item.law), index)


def assess(
    answers: Answers,
    items: list[ChecklistItem],
    *,
    checklist: Checklist | None = None,
    triage: TriageResult | None = None,
    lang: Lang = "zh",
) -> ChecklistResult:
    """Gaps of ``items`` (the applicable ones) given ``answers``; answers to other items are ignored.
    ``triage`` only decides which conditions a gap still names (the user may answer ``na`` to those)."""
    cl = checklist or load_checklist()
    gaps: list[tuple[tuple[int, int, int, int], Gap]] = []
    fulfilled: list[Fulfilled] = []
    unevidenced: list[str] = []
    progress = {law: LawProgress(applicable=0, answered=0, gaps=0) for law in LAWS}
    answered = 0
    for index, item in enumerate(items):
        a = answers.get(item.id)
        p = progress[item.law]
        p.applicable += 1
        if a is not None:
            answered += 1
            p.answered += 1
        if a is None or a.answer == "no":
            p.gaps += 1
            gap = Gap(
                id=item.id,
                law=item.law,
                article=cl.article_text(item, lang),
                text=item.text(lang),
                answer="missing" if a is None else "no",
                blocks_filing=item.blocks_filing,
                severity=item.severity,
                status=item.status,
                feeds=item.feeds,
                open_conditions=tuple(open_conditions(item, triage)),
                note=a.note if a else None,
            )
            gaps.append((_order(item, index), gap))
        elif a.answer == "yes":
            fulfilled.append(
                Fulfilled(
                    id=item.id,
                    law=item.law,
                    feeds=item.feeds,
                    evidence=tuple(str(e) for e in a.evidence),
                    note=a.note,
                )
            )
            if not a.evidence:
                unevidenced.append(item.id)
    ordered = [g for _, g in sorted(gaps, key=lambda pair: pair[0])]
    return ChecklistResult(
        applicable=len(items),
        answered=answered,
        gaps=ordered,
        ready=not any(g.blocks_filing for g in ordered),
        fulfilled=fulfilled,
        unevidenced=unevidenced,
        by_law={law: p for law, p in progress.items() if p.applicable},
    )


def check_answers(
    answers_path: str | os.PathLike[str],
    *,
    triage: TriageResult | str | os.PathLike[str] | None = None,
    law: Law | None = None,
    lang: Lang = "zh",
) -> ChecklistResult:
    """The one call for other tools (``dossier check``): load the answers, select the items the triage's
    filings and roles need, and return the gaps (each with its ``feeds``) and the fulfilled items."""
    checklist = load_checklist()
    if triage is not None and not isinstance(triage, TriageResult):
        triage = load_triage_result(Path(triage))
    answers = load_answers(answers_path, checklist)
    items = applicable_items(checklist, triage, law)
    return assess(answers, items, checklist=checklist, triage=triage, lang=lang)
