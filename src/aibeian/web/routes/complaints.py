"""The staff complaint queue: filter, assign, move through statuses, note, reply, export, statistics.

Reporter text is shown through Jinja2 autoescape and every page carries a CSP without inline script, so a
complaint that contains markup is read as text; attachments are only ever downloads (never rendered).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.complaints import (
    STATUS_WORDS,
    STATUSES,
    TRANSITIONS,
    export_rows,
    local_iso,
    monthly_stats,
    to_csv_bytes,
    to_xlsx_bytes,
)
from aibeian.errors import InputError
from aibeian.storage import (
    Complaint,
    add_complaint_note,
    assign_complaint,
    complaint_attachment,
    complaint_clock_of,
    complaint_records,
    count_complaints,
    get_complaint,
    list_audit,
    list_complaints,
    list_users,
    reply_complaint,
    set_complaint_status,
)
from aibeian.web._complaint_intake import complaint_policy, harden
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

__all__ = ["router"]

router = APIRouter()
PAGE = 50


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _assignee(value: str, user_id: int) -> int | None:
    if value == "me":
        return user_id
    if value == "none":
        return 0
    return int(value) if value.isdigit() else None


def queue(
    db: SessionDep,
    *,
    user_id: int,
    status: str,
    category: str,
    assignee: str,
    q: str,
    overdue: bool,
    page: int,
) -> tuple[list[tuple[Complaint, object]], int]:
    """One page of the queue with each complaint's clock; ``overdue`` filters on the computed clock."""
    filters = {
        "status": status or None,
        "category": category or None,
        "assignee_id": _assignee(assignee, user_id),
        "q": q or None,
    }
    now = _now()
    if overdue:
        filters["status"] = "open"
        rows = [(c, complaint_clock_of(c, now=now)) for c in list_complaints(db, **filters, limit=100_000)]  # type: ignore[arg-type]
        rows = [(c, k) for c, k in rows if k.overdue]
        return list(rows[(page - 1) * PAGE : page * PAGE]), len(rows)
    found = list_complaints(db, **filters, limit=PAGE, offset=(page - 1) * PAGE)  # type: ignore[arg-type]
    return [(c, complaint_clock_of(c, now=now)) for c in found], count_complaints(db, **filters)  # type: ignore[arg-type]


@router.get("/complaints")
def index(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    status: str = "open",
    category: str = "",
    assignee: str = "",
    q: str = "",
    overdue: int = 0,
    page: int = 1,
) -> Response:
    page = max(page, 1)
    rows, total = queue(
        db,
        user_id=user.id,
        status=status,
        category=category,
        assignee=assignee,
        q=q,
        overdue=bool(overdue),
        page=page,
    )
    filters = {"status": status, "category": category, "assignee": assignee, "q": q, "overdue": overdue}
    ctx = {
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE)),
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "statuses": STATUSES,
        "words": STATUS_WORDS,
        "policy": complaint_policy(request.app),
        "names": {k.id: (k.zh, k.en) for k in complaint_policy(request.app).categories},
        "users": list_users(db),
        "local_iso": local_iso,
    }
    return harden(render(request, "complaints.html", ctx))


def _detail(
    request: Request, db: SessionDep, complaint_id: int, *, status_code: int = 200, **extra: object
) -> Response:
    c = get_complaint(db, complaint_id=complaint_id)
    history = [e for e in list_audit(db, entity="complaint", limit=500) if e.entity_id == complaint_id]
    policy = complaint_policy(request.app)
    ctx = {
        "c": c,
        "clock": complaint_clock_of(c, now=_now()),
        "category": next((k for k in policy.categories if k.id == c.category), None),
        "next_statuses": TRANSITIONS[c.status],
        "words": STATUS_WORDS,
        "users": [u for u in list_users(db) if u.active and u.role in ("admin", "reviewer")],
        "history": history,
        "local_iso": local_iso,
        **extra,
    }
    return harden(render(request, "complaint.html", ctx, status_code=status_code))


@router.get("/complaints/export")
def export(
    request: Request,
    db: SessionDep,
    user: CurrentUser,
    format: str = "csv",
    year: int | None = None,
    contact: int = 0,
) -> Response:
    """CSV or XLSX of every complaint (of ``year`` when given); contact details only for editors who ask."""
    start = dt.datetime(year, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8) if year else None
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC) - dt.timedelta(hours=8) if year else None
    records = complaint_records(db, received_from=start, received_before=end)
    with_contact = bool(contact) and user.role in ("admin", "reviewer")
    rows = export_rows(records, now=_now(), with_contact=with_contact)
    lang = "en" if request.session.get("lang") == "en" else "zh"
    name = f"complaints-{year or 'all'}"
    if format == "xlsx":
        body = to_xlsx_bytes(rows, lang=lang)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif format == "csv":
        body, media = to_csv_bytes(rows, lang=lang), "text/csv; charset=utf-8"
    else:
        raise InputError(f"unknown export format {format!r}", field="format", expected="csv or xlsx")
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{format}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/complaints/stats")
def stats(request: Request, db: SessionDep, user: CurrentUser, year: int | None = None) -> Response:
    year = year or _now().year
    months = monthly_stats(complaint_records(db), year=year, now=_now())
    policy = complaint_policy(request.app)
    return harden(
        render(request, "complaints_stats.html", {"months": months, "year": year, "policy": policy})
    )


@router.get("/complaints/{complaint_id}")
def detail(request: Request, db: SessionDep, user: CurrentUser, complaint_id: int) -> Response:
    return _detail(request, db, complaint_id)


@router.get("/complaints/{complaint_id}/attachments/{attachment_id}")
def attachment(db: SessionDep, user: CurrentUser, complaint_id: int, attachment_id: int) -> Response:
    """Always a download with the sniffed type, never rendered inline, sandboxed if a browser tried."""
    att = complaint_attachment(db, complaint_id=complaint_id, attachment_id=attachment_id)
    ascii_name = att.filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(
        att.content,
        media_type=att.content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(att.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )


def _after(db: SessionDep, complaint_id: int) -> Response:
    db.commit()
    return RedirectResponse(f"/complaints/{complaint_id}", status_code=303)


def _change(
    request: Request,
    db: SessionDep,
    complaint_id: int,
    apply: Callable[[], object],
    values: dict[str, str] | None = None,
) -> Response:
    """Run one staff change; a refused one shows the complaint again with the message next to its field and
    what was typed kept, and writes nothing."""
    try:
        apply()
    except InputError as exc:
        db.rollback()
        return _detail(
            request, db, complaint_id, status_code=422, errors=field_errors(exc), values=values or {}
        )
    return _after(db, complaint_id)


@router.post("/complaints/{complaint_id}/assign")
def assign(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    complaint_id: int,
    assignee_id: Annotated[str, Form()] = "",
) -> Response:
    target = int(assignee_id) if assignee_id.isdigit() else None
    return _change(
        request,
        db,
        complaint_id,
        lambda: assign_complaint(db, complaint_id=complaint_id, assignee_id=target, actor=actor(user)),
    )


@router.post("/complaints/{complaint_id}/status")
def move(
    request: Request, db: SessionDep, user: EditorUser, complaint_id: int, to: Annotated[str, Form()] = ""
) -> Response:
    return _change(
        request,
        db,
        complaint_id,
        lambda: set_complaint_status(db, complaint_id=complaint_id, to=to, actor=actor(user)),
    )


@router.post("/complaints/{complaint_id}/notes")
def note(
    request: Request, db: SessionDep, user: EditorUser, complaint_id: int, text: Annotated[str, Form()] = ""
) -> Response:
    return _change(
        request,
        db,
        complaint_id,
        lambda: add_complaint_note(db, complaint_id=complaint_id, text=text, actor=actor(user)),
        {"text": text},
    )


@router.post("/complaints/{complaint_id}/reply")
def reply(
    request: Request, db: SessionDep, user: EditorUser, complaint_id: int, reply: Annotated[str, Form()] = ""
) -> Response:
    return _change(
        request,
        db,
        complaint_id,
        lambda: reply_complaint(db, complaint_id=complaint_id, text=reply, actor=actor(user)),
        {"reply": reply},
    )
