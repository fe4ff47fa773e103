"""The job queue in the ``jobs`` table: enqueue, claim, progress, finish, fail, cancel, recover.

Claiming is one ``UPDATE … WHERE id = (oldest queued) AND status = 'queued' RETURNING id`` statement: on
SQLite the statement takes the write lock before it reads, and on PostgreSQL a second worker that raced for
the same row re-checks ``status`` after the first commits and updates nothing, so two workers never run the
same job on either back end, without ``SKIP LOCKED`` or a second table.

Every state change after the claim is conditional on the row still being ``running`` for this worker: a
job a user cancelled, or one another worker recovered, is never overwritten by a late report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from aibeian.errors import InputError
from aibeian.storage._audit import Actor, record
from aibeian.storage._schema import JOB_KINDS, JOB_STATUSES, Job, utcnow

__all__ = [
    "FINAL_STATUSES",
    "cancel_job",
    "claim_job",
    "count_jobs",
    "enqueue_job",
    "fail_job",
    "finish_job",
    "get_job",
    "heartbeat_job",
    "job_status",
    "list_jobs",
    "recover_jobs",
    "report_progress",
    "stale_before",
]

FINAL_STATUSES = ("succeeded", "failed", "cancelled")
MESSAGE_LENGTH = 500


def enqueue_job(
    session: Session,
    *,
    kind: str,
    params: dict[str, Any],
    actor: Actor,
    service_id: int | None = None,
    message: str = "",
) -> Job:
    """Add a queued job; ``params`` must be JSON (the worker's child process reads nothing else)."""
    if kind not in JOB_KINDS:
        raise InputError(
            f"unknown job kind {kind!r}", field="kind", expected="one of " + ", ".join(JOB_KINDS)
        )
    job = Job(
        kind=kind,
        status="queued",
        service_id=service_id,
        params=params,
        done=0,
        message=message[:MESSAGE_LENGTH],
        result={},
        error="",
        created_by=actor.name,
        worker="",
        attempts=0,
    )
    session.add(job)
    session.flush()
    record(session, actor=actor, action="job.enqueue", entity="job", entity_id=job.id, detail={"kind": kind})
    return job


def claim_job(session: Session, *, worker: str, kinds: tuple[str, ...] = JOB_KINDS) -> Job | None:
    """Atomically take the oldest queued job for ``worker``; None when the queue is empty.

    Call it first in a fresh session and commit right after: the claim is one statement, so it holds no
    read snapshot that a concurrent claim could invalidate."""
    now = utcnow()
    oldest = (
        select(Job.id)
        .where(Job.status == "queued", Job.kind.in_(kinds))
        .order_by(Job.id)
        .limit(1)
        .scalar_subquery()
    )
    claimed = session.execute(
        update(Job)
        .where(Job.id == oldest, Job.status == "queued")
        .values(
            status="running",
            worker=worker[:128],
            started_at=now,
            heartbeat_at=now,
            attempts=Job.attempts + 1,
            child_pid=None,
        )
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        return None
    job = session.get(Job, claimed, populate_existing=True)
    assert job is not None
    return job


def _running(job_id: int, worker: str) -> Any:
    return (Job.id == job_id, Job.status == "running", Job.worker == worker[:128])


def report_progress(
    session: Session,
    *,
    job_id: int,
    worker: str,
    done: int,
    total: int | None = None,
    message: str | None = None,
) -> bool:
    """Move the progress counters (and the heartbeat); False when the job is no longer this worker's."""
    values: dict[str, Any] = {"done": max(0, done), "heartbeat_at": utcnow()}
    if total is not None:
        values["total"] = max(0, total)
    if message is not None:
        values["message"] = message[:MESSAGE_LENGTH]
    result = session.execute(update(Job).where(*_running(job_id, worker)).values(**values))
    return bool(getattr(result, "rowcount", 0))


def heartbeat_job(session: Session, *, job_id: int, worker: str, child_pid: int | None = None) -> bool:
    """Say the worker is alive (and which process runs the job); False when it should stop the job."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if child_pid is not None:
        values["child_pid"] = child_pid
    result = session.execute(update(Job).where(*_running(job_id, worker)).values(**values))
    return bool(getattr(result, "rowcount", 0))


def finish_job(session: Session, *, job_id: int, worker: str, result: dict[str, Any]) -> bool:
    """Mark the job succeeded with its result (where the output is); the counters show it complete."""
    values: dict[str, Any] = {"status": "succeeded", "result": result, "finished_at": utcnow()}
    updated = session.execute(update(Job).where(*_running(job_id, worker)).values(**values))
    if getattr(updated, "rowcount", 0):
        session.execute(update(Job).where(Job.id == job_id, Job.total.is_not(None)).values(done=Job.total))
        return True
    return False


def fail_job(session: Session, *, job_id: int, worker: str, error: str) -> bool:
    """Mark the job failed with the message a user reads (one clear line or a few, never a traceback)."""
    updated = session.execute(
        update(Job)
        .where(*_running(job_id, worker))
        .values(status="failed", error=error.strip() or "the job failed", finished_at=utcnow())
    )
    return bool(getattr(updated, "rowcount", 0))


def job_status(session: Session, *, job_id: int) -> str | None:
    """The status as stored now (a fresh read, for a worker deciding whether to stop)."""
    return session.scalar(select(Job.status).where(Job.id == job_id))


def cancel_job(session: Session, *, job_id: int, actor: Actor) -> Job:
    """Cancel a queued or running job; a running one is stopped by its worker at its next check."""
    job = get_job(session, job_id=job_id)
    if job.status in FINAL_STATUSES:
        raise InputError(
            f"the job is already {job.status}", field="status", expected="a queued or running job"
        )
    before = job.status
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(("queued", "running")))
        .values(status="cancelled", finished_at=utcnow(), error=f"cancelled by {actor.name}")
    )
    record(
        session,
        actor=actor,
        action="job.cancel",
        entity="job",
        entity_id=job_id,
        detail={"before": before},
    )
    session.refresh(job)
    return job


def recover_jobs(
    session: Session,
    *,
    is_dead: Callable[[Job], bool],
    max_attempts: int,
) -> list[int]:
    """Jobs left ``running`` by a worker that ``is_dead`` says is gone: queued again while attempts remain
    (every job kind resumes from its output), failed with a clear message after ``max_attempts``."""
    recovered = []
    for job in session.scalars(select(Job).where(Job.status == "running").order_by(Job.id)):
        if not is_dead(job):
            continue
        if job.attempts >= max_attempts:
            values: dict[str, Any] = {
                "status": "failed",
                "finished_at": utcnow(),
                "error": f"the worker running this job stopped {job.attempts} times (last: {job.worker}); "
                "not retried again / 执行该任务的后台进程多次中断，不再重试",
            }
        else:
            values = {
                "status": "queued",
                "worker": "",
                "child_pid": None,
                "message": "re-queued after a worker stopped",
            }
        done = session.execute(
            update(Job)
            .where(Job.id == job.id, Job.status == "running", Job.worker == job.worker)
            .values(**values)
        )
        if getattr(done, "rowcount", 0):
            recovered.append(job.id)
    return recovered


def get_job(session: Session, *, job_id: int) -> Job:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise LookupError(f"job {job_id}")
    return job


def _filtered(query: Any, status: str | None, kind: str | None, service_id: int | None) -> Any:
    if status:
        if status not in JOB_STATUSES:
            raise InputError(
                f"unknown job status {status!r}", field="status", expected=", ".join(JOB_STATUSES)
            )
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    if service_id is not None:
        query = query.where(Job.service_id == service_id)
    return query


def list_jobs(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    service_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Job]:
    """Newest first."""
    query = _filtered(select(Job), status, kind, service_id)
    return list(session.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)))


def count_jobs(
    session: Session, *, status: str | None = None, kind: str | None = None, service_id: int | None = None
) -> int:
    query = _filtered(select(func.count()).select_from(Job), status, kind, service_id)
    return int(session.scalar(query) or 0)


def stale_before(seconds: float) -> datetime:
    """The heartbeat time before which a running job's worker is taken to be gone."""
    from datetime import timedelta

    return utcnow() - timedelta(seconds=seconds)
