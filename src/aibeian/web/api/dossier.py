"""``/api/filings/{id}/dossier``: a filing's dossier completeness (``dossier.check_dossier``) and starting a
build as a background job (then follow it at ``/api/jobs/{id}``)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from aibeian.storage import get_filing, get_job
from aibeian.web import _dossier
from aibeian.web.api.jobs import JobPublic, job_public
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/filings", tags=["dossier"])


class DossierPublic(BaseModel):
    filing_id: int
    filing: str
    documents: list[str]
    filled: int
    required: int
    percent: int
    check: dict[str, Any]
    problems: list[str]


class DossierBuild(BaseModel):
    lang: Literal["zh", "en"] | None = None


@router.get("/{filing_id}/dossier", response_model=DossierPublic)
def read_dossier(filing_id: int, db: SessionDep, settings: SettingsDep, user: CurrentUser) -> DossierPublic:
    filing = get_filing(db, filing_id=filing_id)
    facts = _dossier.load_or_init(db, settings, filing)
    done = _dossier.completeness(settings, filing.id, facts, service_id=filing.service_id)
    return DossierPublic(
        filing_id=filing.id,
        filing=facts.filing,
        documents=facts.documents,
        filled=done.filled,
        required=done.required,
        percent=done.percent,
        check=done.result.to_dict(),
        problems=done.problems,
    )


@router.post("/{filing_id}/dossier/build", response_model=JobPublic, status_code=201)
def build_dossier(
    filing_id: int, body: DossierBuild, db: SessionDep, settings: SettingsDep, user: EditorUser
) -> JobPublic:
    filing = get_filing(db, filing_id=filing_id)
    _dossier.load_or_init(db, settings, filing)
    job = _dossier.start_dossier_build(db, settings, filing=filing, actor=actor(user), lang=body.lang)
    db.commit()
    return job_public(get_job(db, job_id=job.id))
