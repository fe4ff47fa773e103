"""Background jobs: the list, one job's page with its progress polled live (htmx swaps the progress block
every second until the job ends), and cancel. Starting a job happens on the screen it belongs to
(evaluations, dossier); the worker runs it (``aibeian.jobs``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import (
    FINAL_STATUSES,
    JOB_KINDS,
    JOB_STATUSES,
    cancel_job,
    count_jobs,
    get_job,
    list_jobs,
)
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter(prefix="/jobs")

PAGE = 50


@router.get("")
def index(
    request: Request, db: SessionDep, user: CurrentUser, status: str = "", kind: str = "", page: int = 1
) -> Response:
    status = status if status in JOB_STATUSES else ""
    kind = kind if kind in JOB_KINDS else ""
    total = count_jobs(db, status=status or None, kind=kind or None)
    pages = max(1, -(-total // PAGE))
    page = min(max(1, page), pages)
    jobs = list_jobs(db, status=status or None, kind=kind or None, limit=PAGE, offset=(page - 1) * PAGE)
    ctx = {
        "jobs": jobs,
        "filters": {"status": status, "kind": kind},
        "statuses": JOB_STATUSES,
        "kinds": JOB_KINDS,
        "page": page,
        "pages": pages,
        "active": any(j.status not in FINAL_STATUSES for j in jobs),
    }
    template = "jobs_table.html" if request.headers.get("hx-request") else "jobs.html"
    return render(request, template, ctx)


@router.get("/{job_id}")
def detail(request: Request, db: SessionDep, user: CurrentUser, job_id: int) -> Response:
    return render(request, "job.html", {"job": get_job(db, job_id=job_id), "final": FINAL_STATUSES})


@router.get("/{job_id}/progress")
def progress(request: Request, db: SessionDep, user: CurrentUser, job_id: int) -> Response:
    """The progress block alone, for htmx polling; once the job has ended it carries no poll trigger."""
    return render(request, "job_progress.html", {"job": get_job(db, job_id=job_id), "final": FINAL_STATUSES})


@router.post("/{job_id}/cancel")
def cancel(request: Request, db: SessionDep, user: EditorUser, job_id: int) -> Response:
    try:
        cancel_job(db, job_id=job_id, actor=actor(user))
    except InputError as exc:
        db.rollback()
        ctx = {"job": get_job(db, job_id=job_id), "final": FINAL_STATUSES, "errors": field_errors(exc)}
        return render(request, "job.html", ctx, status_code=422)
    db.commit()
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
