"""``/api/corpus-runs``: corpus scan runs with their manual-review progress, and recording one verdict."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aibeian.corpus import record_verdict
from aibeian.storage import record
from aibeian.web import _corpus_review as view
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/corpus-runs", tags=["corpus"])


class ReviewProgressPublic(BaseModel):
    summary: dict[str, Any] = Field(description="the manual check as aibeian corpus report shows it")
    agreement: dict[str, Any] = Field(description="pairs, agree, rate, kappa (Cohen's, first vs second)")
    per_reviewer: dict[str, int]


class CorpusRunPublic(BaseModel):
    name: str
    status: str
    created: str
    has_sample: bool
    progress: ReviewProgressPublic | None


class VerdictCreate(BaseModel):
    item_id: str = Field(min_length=1)
    qualified: bool
    reason: str = ""


class VerdictPublic(BaseModel):
    id: str
    qualified: bool
    reason: str
    reviewer: str
    at: str
    primary: bool = Field(
        description="true when this is the verdict the report counts (the first reviewer's)"
    )


def _progress(p: view.ReviewProgress | None) -> ReviewProgressPublic | None:
    if p is None:
        return None
    return ReviewProgressPublic(
        summary=p.summary, agreement=p.agreement.to_dict(), per_reviewer=p.per_reviewer
    )


@router.get("", response_model=list[CorpusRunPublic])
def read_runs(settings: SettingsDep, user: CurrentUser) -> list[CorpusRunPublic]:
    return [
        CorpusRunPublic(
            name=r.name,
            status=r.status,
            created=r.created,
            has_sample=r.has_sample,
            progress=_progress(r.progress),
        )
        for r in view.list_corpus_runs(settings.corpus_runs())
        if r.problem is None
    ]


@router.get("/{name}", response_model=CorpusRunPublic)
def read_run(name: str, settings: SettingsDep, user: CurrentUser) -> CorpusRunPublic:
    run = view.open_corpus_run(settings.corpus_runs(), name)
    meta = run.meta()
    has = view.has_sample(run)
    return CorpusRunPublic(
        name=name,
        status=str(meta.get("status", "?")),
        created=str(meta.get("created", "")),
        has_sample=has,
        progress=_progress(view.progress(run)) if has else None,
    )


@router.post("/{name}/verdicts", response_model=VerdictPublic, status_code=201)
def add_verdict(
    name: str, body: VerdictCreate, settings: SettingsDep, db: SessionDep, user: EditorUser
) -> VerdictPublic:
    """Record the signed-in reviewer's verdict on one sampled item (a second reviewer's goes to the log)."""
    run = view.open_corpus_run(settings.corpus_runs(), name)
    verdict = record_verdict(
        run, item_id=body.item_id, qualified=body.qualified, reason=body.reason, reviewer=user.username
    )
    record(
        db,
        actor=actor(user),
        action="corpus.review",
        entity="corpus_run",
        detail={
            "run": name,
            "item": body.item_id,
            "qualified": body.qualified,
            "reason": verdict["reason"],
            "primary": verdict["primary"],
        },
    )
    db.commit()
    return VerdictPublic(**verdict)
