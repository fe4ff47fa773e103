"""Reading complaints: by id, tracking number or idempotency key, the filtered queue, the plain records the
export and statistics take, each complaint's clock, and the overdue ones the dashboard flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, undefer

from aibeian.complaints import CLOSED_STATUSES, Clock, ComplaintRecord, Pause
from aibeian.storage._schema import Complaint, ComplaintAttachment

__all__ = [
    "complaint_attachment",
    "complaint_by_key",
    "complaint_by_tracking",
    "complaint_clock_of",
    "complaint_record",
    "complaint_records",
    "count_complaints",
    "get_complaint",
    "list_complaints",
    "overdue_complaints",
]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def complaint_by_key(session: Session, *, key: str) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.idempotency_key == key))


def get_complaint(session: Session, *, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise LookupError(f"complaint {complaint_id}")
    return complaint


def complaint_by_tracking(session: Session, *, tracking: str) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.tracking == tracking))


def _filtered(
    query: Any, *, status: str | None, category: str | None, assignee_id: int | None, q: str | None
) -> Any:
    if status == "open":
        query = query.where(Complaint.status.not_in(CLOSED_STATUSES))
    elif status:
        query = query.where(Complaint.status == status)
    if category:
        query = query.where(Complaint.category == category)
    if assignee_id == 0:
        query = query.where(Complaint.assignee_id.is_(None))
    elif assignee_id is not None:
        query = query.where(Complaint.assignee_id == assignee_id)
    if q:
        like = f"%{q.strip()}%"
        query = query.where(or_(Complaint.tracking.ilike(like), Complaint.description.ilike(like)))
    return query


def list_complaints(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    assignee_id: int | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Complaint]:
    """Newest first. ``status="open"`` means not yet replied or closed; ``assignee_id=0`` means unassigned."""
    query = _filtered(select(Complaint), status=status, category=category, assignee_id=assignee_id, q=q)
    return list(session.scalars(query.order_by(Complaint.id.desc()).limit(limit).offset(offset)).unique())


def count_complaints(
    session: Session,
    *,
    status: str | None = None,
    category: str | None = None,
    assignee_id: int | None = None,
    q: str | None = None,
) -> int:
    query = _filtered(
        select(func.count()).select_from(Complaint),
        status=status,
        category=category,
        assignee_id=assignee_id,
        q=q,
    )
    return int(session.scalar(query) or 0)


def _pauses(c: Complaint) -> tuple[Pause, ...]:
    out = []
    for start, end in c.pauses or []:
        assert start is not None
        out.append(Pause(dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end) if end else None))
    return tuple(out)


def complaint_record(c: Complaint, *, notes: bool = False) -> ComplaintRecord:
    return ComplaintRecord(
        id=c.id,
        tracking=c.tracking,
        category=c.category,
        status=c.status,
        received_at=_aware(c.received_at),
        working_days=c.working_days,
        description=c.description,
        contact=c.contact,
        assignee=c.assignee.username if c.assignee else "",
        reply=c.reply,
        replied_at=_aware(c.replied_at) if c.replied_at else None,
        closed_at=_aware(c.closed_at) if c.closed_at else None,
        pauses=_pauses(c),
        attachments=len(c.attachments),
    )


def complaint_clock_of(c: Complaint, *, now: dt.datetime) -> Clock:
    return complaint_record(c).clock(now)


def complaint_records(
    session: Session, *, received_from: dt.datetime | None = None, received_before: dt.datetime | None = None
) -> list[ComplaintRecord]:
    query = select(Complaint).order_by(Complaint.id)
    if received_from is not None:
        query = query.where(Complaint.received_at >= received_from)
    if received_before is not None:
        query = query.where(Complaint.received_at < received_before)
    return [complaint_record(c) for c in session.scalars(query).unique()]


def overdue_complaints(session: Session, *, now: dt.datetime) -> list[tuple[Complaint, Clock]]:
    """Open complaints past their reply deadline, most overdue first (paused ones are never overdue)."""
    out = []
    open_ones = session.scalars(select(Complaint).where(Complaint.status.not_in(CLOSED_STATUSES))).unique()
    for c in open_ones:
        clock = complaint_clock_of(c, now=now)
        if clock.overdue:
            out.append((c, clock))
    return sorted(out, key=lambda pair: (pair[1].due or dt.date.max, pair[0].id))


def complaint_attachment(session: Session, *, complaint_id: int, attachment_id: int) -> ComplaintAttachment:
    att = session.scalar(
        select(ComplaintAttachment)
        .options(undefer(ComplaintAttachment.content))
        .where(ComplaintAttachment.id == attachment_id, ComplaintAttachment.complaint_id == complaint_id)
    )
    if att is None:
        raise LookupError(f"attachment {attachment_id} of complaint {complaint_id}")
    return att
