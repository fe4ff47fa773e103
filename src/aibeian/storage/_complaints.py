"""Complaints in the store: intake (idempotent), the staff's changes (each audited in the same transaction),
and the reads the queue, the dashboard, the export and the statistics need.

Idempotency: the client's key is a unique column. A retry finds the row and gets it back; two copies of
the same request racing each other both try the insert, the database lets exactly one in, and the loser
rolls back and returns the winner's row. So "acknowledged" always means "committed once", on SQLite and
PostgreSQL alike, without a lock table.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aibeian.complaints import (
    CLOSED_STATUSES,
    ComplaintDraft,
    ComplaintPolicy,
    check_transition,
    new_tracking_number,
)
from aibeian.complaints import local_date as _local_date
from aibeian.errors import InputError, StorageError
from aibeian.storage._audit import Actor, record
from aibeian.storage._complaint_reads import complaint_by_key, get_complaint
from aibeian.storage._schema import Complaint, ComplaintAttachment, ComplaintNote, User, utcnow

__all__ = [
    "PUBLIC",
    "add_complaint_note",
    "assign_complaint",
    "reply_complaint",
    "same_submission",
    "set_complaint_status",
    "submit_complaint",
]

PUBLIC = Actor(name="public")
MAX_NOTE = 10_000


def same_submission(existing: Complaint, draft: ComplaintDraft) -> Complaint:
    """``existing`` when ``draft`` is the same submission (a retry); InputError when the key was reused."""
    if existing.request_hash != draft.request_hash():
        raise InputError(
            "this idempotency key was already used for a different submission",
            field="Idempotency-Key",
            expected="a new key for each new complaint; the same key only to retry the same request",
        )
    return existing


def submit_complaint(
    session: Session,
    *,
    draft: ComplaintDraft,
    policy: ComplaintPolicy,
    idempotency_key: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[Complaint, bool]:
    """Store a checked draft with its attachments; ``(complaint, created)``. Call in a fresh session and
    commit right after: a lost race on the idempotency key rolls the session back to fetch the winner."""
    if idempotency_key is not None and (found := complaint_by_key(session, key=idempotency_key)):
        return same_submission(found, draft), False
    received = now or utcnow()
    complaint = Complaint(
        tracking=new_tracking_number(_local_date(received)),
        idempotency_key=idempotency_key,
        request_hash=draft.request_hash(),
        category=draft.category,
        description=draft.description,
        contact=draft.contact,
        status="received",
        received_at=received,
        working_days=policy.category(draft.category).working_days,
        pauses=[],
        reply="",
        updated_at=received,
        attachments=[
            ComplaintAttachment(
                filename=a.filename,
                content_type=a.content_type,
                size=a.size,
                sha256=a.sha256,
                content=a.content,
            )
            for a in draft.attachments
        ],
    )
    session.add(complaint)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        if idempotency_key is not None and (found := complaint_by_key(session, key=idempotency_key)):
            return same_submission(found, draft), False
        raise StorageError(f"the complaint could not be stored: {exc.orig}") from exc
    record(
        session,
        actor=PUBLIC,
        action="complaint.submit",
        entity="complaint",
        entity_id=complaint.id,
        detail={
            "tracking": complaint.tracking,
            "category": complaint.category,
            "files": len(draft.attachments),
        },
    )
    return complaint, True


def _touch(c: Complaint, now: dt.datetime) -> None:
    c.updated_at = now


def assign_complaint(
    session: Session, *, complaint_id: int, assignee_id: int | None, actor: Actor
) -> Complaint:
    c = get_complaint(session, complaint_id=complaint_id)
    name = ""
    if assignee_id is not None:
        user = session.get(User, assignee_id)
        if user is None or not user.active:
            raise InputError(
                f"no active user {assignee_id}", field="assignee_id", expected="an active account"
            )
        name = user.username
    before = c.assignee.username if c.assignee else ""
    c.assignee_id = assignee_id
    _touch(c, utcnow())
    session.flush()
    session.refresh(c, ["assignee"])
    record(
        session,
        actor=actor,
        action="complaint.assign",
        entity="complaint",
        entity_id=c.id,
        detail={"from": before, "to": name},
    )
    return c


def _close_open_pause(c: Complaint, now: dt.datetime) -> None:
    c.pauses = [[s, e if e is not None else now.isoformat()] for s, e in (c.pauses or [])]


def set_complaint_status(
    session: Session, *, complaint_id: int, to: str, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """Move a complaint; waiting on the reporter opens a pause, leaving that status ends it."""
    c = get_complaint(session, complaint_id=complaint_id)
    check_transition(c.status, to)
    moment = now or utcnow()
    before = c.status
    if before == "waiting_reporter":
        _close_open_pause(c, moment)
    if to == "waiting_reporter":
        c.pauses = [*(c.pauses or []), [moment.isoformat(), None]]
    if to == "closed":
        c.closed_at = moment
    if to == "in_progress" and before in CLOSED_STATUSES:  # reopened: owed an answer again
        c.closed_at = None
        c.replied_at = None
    c.status = to
    _touch(c, moment)
    record(
        session,
        actor=actor,
        action="complaint.status",
        entity="complaint",
        entity_id=c.id,
        detail={"from": before, "to": to},
    )
    return c


def add_complaint_note(
    session: Session, *, complaint_id: int, text: str, actor: Actor, now: dt.datetime | None = None
) -> ComplaintNote:
    c = get_complaint(session, complaint_id=complaint_id)
    body = (text or "").strip()
    if not body or len(body) > MAX_NOTE:
        raise InputError("a note needs text", field="text", expected=f"1–{MAX_NOTE} characters")
    note = ComplaintNote(complaint_id=c.id, at=now or utcnow(), author=actor.name, text=body)
    session.add(note)
    _touch(c, note.at)
    session.flush()
    record(
        session,
        actor=actor,
        action="complaint.note",
        entity="complaint",
        entity_id=c.id,
        detail={"note": note.id},
    )
    return note


def reply_complaint(
    session: Session, *, complaint_id: int, text: str, actor: Actor, now: dt.datetime | None = None
) -> Complaint:
    """The answer the reporter reads on the status page; it stops the clock (status ``replied``)."""
    c = get_complaint(session, complaint_id=complaint_id)
    body = (text or "").strip()
    if not body or len(body) > MAX_NOTE:
        raise InputError("a reply needs text", field="reply", expected=f"1–{MAX_NOTE} characters")
    if c.status != "replied":
        check_transition(c.status, "replied")
    moment = now or utcnow()
    before = c.status
    if before == "waiting_reporter":
        _close_open_pause(c, moment)
    c.reply = body
    c.replied_at = moment
    c.status = "replied"
    _touch(c, moment)
    record(
        session,
        actor=actor,
        action="complaint.reply",
        entity="complaint",
        entity_id=c.id,
        detail={"from": before, "chars": len(body)},
    )
    return c
