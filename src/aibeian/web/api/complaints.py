"""``/api/complaints``: the public intake and status (no account), and the staff queue (signed in).

``POST /api/complaints`` takes an ``Idempotency-Key`` header: a retry with the same key and body returns the
complaint already stored (200, ``created: false``) instead of a second one (201), so a client that lost the
response can always retry safely. Flooding from one address answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from aibeian.complaints import STATUS_WORDS, local_iso, monthly_stats, normalise_tracking_number
from aibeian.errors import InputError, Problem
from aibeian.storage import (
    Complaint,
    add_complaint_note,
    assign_complaint,
    complaint_by_tracking,
    complaint_clock_of,
    complaint_records,
    count_complaints,
    get_complaint,
    list_complaints,
    reply_complaint,
    set_complaint_status,
)
from aibeian.web._complaint_intake import RateLimitedError, intake
from aibeian.web.api.complaint_schemas import (
    AssignIn,
    AttachmentOut,
    ComplaintCreate,
    ComplaintPage,
    ComplaintReceipt,
    ComplaintStaff,
    ComplaintStatusPublic,
    NoteOut,
    StatusIn,
    TextIn,
)
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter(prefix="/complaints", tags=["complaints"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _public(c: Complaint) -> dict[str, Any]:
    clock = complaint_clock_of(c, now=_now())
    return {
        "tracking": c.tracking,
        "category": c.category,
        "status": c.status,
        "status_zh": STATUS_WORDS[c.status][0],
        "received_at": local_iso(c.received_at),
        "clock": clock.state,
        "due": clock.due,
        "reply": c.reply,
        "replied_at": local_iso(c.replied_at),
    }


def _staff(c: Complaint, *, full: bool = False) -> ComplaintStaff:
    clock = complaint_clock_of(c, now=_now())
    extra: dict[str, Any] = {}
    if full:
        extra["notes"] = [NoteOut(at=local_iso(n.at), author=n.author, text=n.text) for n in c.notes]
        extra["attachments"] = [
            AttachmentOut(
                id=a.id, filename=a.filename, content_type=a.content_type, size=a.size, sha256=a.sha256
            )
            for a in c.attachments
        ]
    return ComplaintStaff(
        **_public(c),
        id=c.id,
        description=c.description,
        contact=c.contact,
        assignee=c.assignee.username if c.assignee else None,
        days_left=clock.days_left,
        working_days=c.working_days,
        **extra,
    )


def _files(body: ComplaintCreate) -> list[tuple[str, str, bytes]]:
    out, problems = [], []
    for i, a in enumerate(body.attachments):
        try:
            out.append((a.filename, a.content_type, base64.b64decode(a.data_base64, validate=True)))
        except (binascii.Error, ValueError):
            problems.append(Problem("not valid base64", field=f"attachments[{i}].data_base64"))
    if problems:
        raise InputError(problems=problems)
    return out


@router.post(
    "",
    response_model=ComplaintReceipt,
    status_code=201,
    responses={
        200: {"description": "A retry: the complaint stored earlier under this key"},
        429: {},
        413: {},
    },
)
def submit(
    body: ComplaintCreate,
    request: Request,
    response: Response,
    db: SessionDep,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> Any:
    """Submit a complaint or report; no account needed."""
    try:
        result = intake(
            request,
            db,
            category=body.category,
            description=body.description,
            contact=body.contact,
            files=_files(body),
            idempotency_key=idempotency_key,
        )
    except RateLimitedError as exc:
        db.rollback()
        return JSONResponse(
            {
                "error": "rate_limited",
                "message": exc.en,
                "message_zh": exc.zh,
                "retry_after": exc.retry_after,
            },
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    c = result.complaint
    response.status_code = 201 if result.created else 200
    clock = complaint_clock_of(c, now=_now())
    return ComplaintReceipt(
        tracking=c.tracking,
        created=result.created,
        status=c.status,
        received_at=local_iso(c.received_at),
        due=clock.due,
        status_url=f"/complaint/status?tracking={c.tracking}",
    )


@router.get("/status/{tracking}", response_model=ComplaintStatusPublic)
def public_status(tracking: str, db: SessionDep) -> ComplaintStatusPublic:
    """What the reporter may see: status, deadline and the reply; no account needed."""
    c = complaint_by_tracking(db, tracking=normalise_tracking_number(tracking))
    if c is None:
        raise LookupError(f"complaint {tracking[:40]}")
    return ComplaintStatusPublic(**_public(c))


@router.get("", response_model=ComplaintPage)
def read_complaints(
    db: SessionDep,
    user: CurrentUser,
    status: str | None = None,
    category: str | None = None,
    assignee_id: int | None = None,
    q: str | None = None,
    overdue: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> ComplaintPage:
    """The queue, newest first; ``status=open`` for everything not replied or closed, ``assignee_id=0`` for
    unassigned, ``overdue=true`` for open complaints past their deadline."""
    limit = min(max(limit, 1), 500)
    if overdue:
        found = [
            c
            for c in list_complaints(
                db, status="open", category=category, assignee_id=assignee_id, q=q, limit=100_000
            )
        ]
        late = [c for c in found if complaint_clock_of(c, now=_now()).overdue]
        return ComplaintPage(items=[_staff(c) for c in late[offset : offset + limit]], total=len(late))
    items = list_complaints(
        db, status=status, category=category, assignee_id=assignee_id, q=q, limit=limit, offset=offset
    )
    total = count_complaints(db, status=status, category=category, assignee_id=assignee_id, q=q)
    return ComplaintPage(items=[_staff(c) for c in items], total=total)


@router.get("/stats")
def read_stats(db: SessionDep, user: CurrentUser, year: int | None = None) -> dict[str, Any]:
    """Monthly statistics of ``year`` for the annual update (all twelve months)."""
    year = year or _now().year
    months = monthly_stats(complaint_records(db), year=year, now=_now())
    return {"year": year, "months": [m.to_dict() for m in months]}


@router.get("/{complaint_id}", response_model=ComplaintStaff)
def read_complaint(complaint_id: int, db: SessionDep, user: CurrentUser) -> ComplaintStaff:
    return _staff(get_complaint(db, complaint_id=complaint_id), full=True)


@router.post("/{complaint_id}/assign", response_model=ComplaintStaff)
def assign(complaint_id: int, body: AssignIn, db: SessionDep, user: EditorUser) -> ComplaintStaff:
    c = assign_complaint(db, complaint_id=complaint_id, assignee_id=body.assignee_id, actor=actor(user))
    db.commit()
    return _staff(c, full=True)


@router.post("/{complaint_id}/status", response_model=ComplaintStaff)
def move(complaint_id: int, body: StatusIn, db: SessionDep, user: EditorUser) -> ComplaintStaff:
    c = set_complaint_status(db, complaint_id=complaint_id, to=body.to, actor=actor(user))
    db.commit()
    return _staff(c, full=True)


@router.post("/{complaint_id}/notes", response_model=ComplaintStaff)
def note(complaint_id: int, body: TextIn, db: SessionDep, user: EditorUser) -> ComplaintStaff:
    add_complaint_note(db, complaint_id=complaint_id, text=body.text, actor=actor(user))
    db.commit()
    return _staff(get_complaint(db, complaint_id=complaint_id), full=True)


@router.post("/{complaint_id}/reply", response_model=ComplaintStaff)
def reply(complaint_id: int, body: TextIn, db: SessionDep, user: EditorUser) -> ComplaintStaff:
    c = reply_complaint(db, complaint_id=complaint_id, text=body.text, actor=actor(user))
    db.commit()
    return _staff(c, full=True)
