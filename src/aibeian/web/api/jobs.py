"""``/api/jobs``: list, read, start and cancel background jobs (evaluation runs, corpus scans; dossier builds
start from their filing at ``/api/filings/{id}/dossier/build``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from aibeian.jobs import start_corpus_scan, start_evaluation
from aibeian.storage import Job, cancel_job, get_job, list_jobs
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/jobs", tags=["jobs"])

__all__ = ["JobPublic", "job_public", "router"]


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    service_id: int | None
    params: dict[str, Any]
    done: int
    total: int | None
    message: str
    result: dict[str, Any]
    error: str
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int


def job_public(job: Job) -> JobPublic:
    return JobPublic.model_validate(job)


class EvaluationJobCreate(BaseModel):
    kind: Literal["evaluation"]
    name: str = Field(max_length=100, description="Run name; the run is written to the runs folder under it.")
    banks: list[str] = Field(
        max_length=50, description="Bank file names in the banks folder (AIBEIAN_BANKS_DIR)."
    )
    target_url: str = Field(max_length=500)
    model: str = Field(max_length=200)
    api_key_env: str = Field(default="", max_length=100)
    judges: str = Field(default="refusal", max_length=500)
    sample: int | None = Field(default=None, ge=1, le=1_000_000)
    seed: int = Field(default=0, ge=0, le=2**31)


class CorpusScanJobCreate(BaseModel):
    kind: Literal["corpus_scan"]
    name: str = Field(max_length=100)
    corpus: list[str] = Field(max_length=1000, description="Corpus files or folders on the server.")
    sources: str = Field(max_length=1000, description="The sources.yaml on the server.")
    keywords: str = Field(
        default="", max_length=1000, description="Keyword library CSV; default: the workbench's."
    )
    sample_rate: float | None = Field(
        default=None, gt=0, le=1, description="Default: the standard's minimum technical sample rate."
    )
    seed: int = Field(default=0, ge=0, le=2**31)
    engine: Literal["local", "ray"] = Field(default="local", description="ray only where it is installed.")


JobCreate = Annotated[EvaluationJobCreate | CorpusScanJobCreate, Field(discriminator="kind")]


@router.get("", response_model=list[JobPublic])
def read_jobs(
    db: SessionDep,
    user: CurrentUser,
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"] | None = None,
    kind: Literal["evaluation", "corpus_scan", "dossier_build"] | None = None,
    service_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[JobPublic]:
    jobs = list_jobs(db, status=status, kind=kind, service_id=service_id, limit=limit, offset=offset)
    return [job_public(j) for j in jobs]


@router.get("/{job_id}", response_model=JobPublic)
def read_job(job_id: int, db: SessionDep, user: CurrentUser) -> JobPublic:
    return job_public(get_job(db, job_id=job_id))


@router.post("", response_model=JobPublic, status_code=201)
def add_job(body: JobCreate, db: SessionDep, settings: SettingsDep, user: EditorUser) -> JobPublic:
    fields = body.model_dump(exclude={"kind"})
    if isinstance(body, EvaluationJobCreate):
        job = start_evaluation(db, settings, actor=actor(user), **fields)
    else:
        job = start_corpus_scan(db, settings, actor=actor(user), **fields)
    db.commit()
    return job_public(get_job(db, job_id=job.id))


@router.post("/{job_id}/cancel", response_model=JobPublic)
def cancel(job_id: int, db: SessionDep, user: EditorUser) -> JobPublic:
    job = cancel_job(db, job_id=job_id, actor=actor(user))
    db.commit()
    return job_public(job)
