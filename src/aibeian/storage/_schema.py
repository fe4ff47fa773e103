"""The one schema for SQLite and PostgreSQL. Alembic migrations (``migrations/versions``) create it; these
classes are what the repositories read and write.

Portable types only (no JSONB, no arrays): JSON documents are stored as text through ``JSON``, which both
back ends support, so one migration serves both and tests prove it on each.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "COMPLAINT_STATUSES",
    "FILING_STATUSES",
    "FILING_TYPES",
    "JOB_KINDS",
    "JOB_STATUSES",
    "ROLES",
    "AuditEntry",
    "Base",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintNote",
    "Filing",
    "Job",
    "Service",
    "TriageRecord",
    "User",
]

ROLES = ("admin", "reviewer", "viewer")
FILING_TYPES = ("algorithm", "genai", "registration")
FILING_STATUSES = ("preparing", "submitted", "feedback", "approved")
JOB_KINDS = ("evaluation", "corpus_scan", "dossier_build")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who changed what, when: written in the same transaction as the change, so neither exists alone."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Service(Base):
    """An AI service the company offers: the unit that is triaged and filed."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    filings: Mapped[list[Filing]] = relationship(back_populates="service", order_by="Filing.id")
    triage_records: Mapped[list[TriageRecord]] = relationship(
        back_populates="service", order_by="TriageRecord.id.desc()"
    )


class Filing(Base):
    """One filing of a service. ``status`` moves preparing → submitted → feedback (round n) → approved."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="preparing")
    feedback_round: Mapped[int] = mapped_column(Integer, default=0)
    filing_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    deadline_note: Mapped[str] = mapped_column(String(200), default="")
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    approved_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    service: Mapped[Service] = relationship(back_populates="filings")


class TriageRecord(Base):
    """A triage saved for a service: the answers and the result, both as the library's JSON."""

    __tablename__ = "triage_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    service: Mapped[Service] = relationship(back_populates="triage_records")


class Job(Base):
    """A long job (evaluation, corpus scan, dossier build) run by the background worker, not the request.

    The row is the job's whole public state: the worker claims a queued row, moves ``done``/``total`` as it
    goes and ends with ``result`` (where the output is) or ``error`` (the message a user reads), so the web
    process can show progress and survive a failed job without sharing memory with the worker.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="SET NULL"), nullable=True, index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str] = mapped_column(String(128), default="")
    child_pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


COMPLAINT_STATUSES = ("received", "in_progress", "waiting_reporter", "replied", "closed")


class Complaint(Base):
    """A complaint or report (投诉举报) from the public intake. ``working_days`` is copied from the policy at
    intake, so editing the policy later never moves the deadline of a complaint already received.
    ``pauses`` holds ``[start, end]`` ISO moments of each wait on the reporter (end null while waiting)."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True, nullable=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(24), default="received", index=True)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    working_days: Mapped[int] = mapped_column(Integer)
    pauses: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    assignee: Mapped[User | None] = relationship(lazy="joined")
    notes: Mapped[list[ComplaintNote]] = relationship(
        back_populates="complaint", order_by="ComplaintNote.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[ComplaintAttachment]] = relationship(
        back_populates="complaint", order_by="ComplaintAttachment.id", cascade="all, delete-orphan"
    )


class ComplaintNote(Base):
    """An internal note on a complaint: staff only, never shown to the reporter."""

    __tablename__ = "complaint_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)

    complaint: Mapped[Complaint] = relationship(back_populates="notes")


class ComplaintAttachment(Base):
    """A file the reporter attached, kept in the database so a complaint and its files commit together."""

    __tablename__ = "complaint_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    complaint: Mapped[Complaint] = relationship(back_populates="attachments")
