"""Filings: create under a service, move through the statuses, record deadlines and filing numbers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import (
    FILING_TYPES,
    TRANSITIONS,
    create_filing,
    get_filing,
    get_service,
    latest_triage,
    list_audit,
    set_deadline,
    transition,
)
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter()


def parse_day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"not a date: {value!r}", field=field, expected="YYYY-MM-DD") from None


@router.post("/services/{service_id}/filings")
def create(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    service_id: int,
    type: Annotated[str, Form()] = "",
    deadline: Annotated[str, Form()] = "",
    deadline_note: Annotated[str, Form()] = "",
) -> Response:
    try:
        filing = create_filing(
            db,
            service_id=service_id,
            type=type,
            actor=actor(user),
            deadline=parse_day(deadline, "deadline"),
            deadline_note=deadline_note,
        )
    except InputError as exc:
        db.rollback()
        service = get_service(db, service_id=service_id)
        ctx = {
            "service": service,
            "triage": latest_triage(db, service_id=service_id),
            "filing_types": FILING_TYPES,
            "errors": field_errors(exc),
            "values": {"type": type, "deadline": deadline, "deadline_note": deadline_note},
        }
        return render(request, "service.html", ctx, status_code=422)
    db.commit()
    return RedirectResponse(f"/filings/{filing.id}", status_code=303)


def _page(request: Request, db: SessionDep, filing_id: int, **extra: object) -> Response:
    filing = get_filing(db, filing_id=filing_id)
    history = [e for e in list_audit(db, entity="filing", limit=200) if e.entity_id == filing_id]
    ctx = {"filing": filing, "next_statuses": TRANSITIONS[filing.status], "history": history, **extra}
    return render(request, "filing.html", ctx, status_code=422 if extra.get("errors") else 200)


@router.get("/filings/{filing_id}")
def detail(request: Request, db: SessionDep, user: CurrentUser, filing_id: int) -> Response:
    return _page(request, db, filing_id)


@router.post("/filings/{filing_id}/status")
def change_status(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    filing_id: int,
    to: Annotated[str, Form()] = "",
    on: Annotated[str, Form()] = "",
    filing_number: Annotated[str, Form()] = "",
) -> Response:
    try:
        transition(
            db,
            filing_id=filing_id,
            to=to,
            actor=actor(user),
            on=parse_day(on, "on"),
            filing_number=filing_number or None,
        )
    except InputError as exc:
        db.rollback()
        return _page(
            request,
            db,
            filing_id,
            errors=field_errors(exc),
            values={"to": to, "on": on, "filing_number": filing_number},
        )
    db.commit()
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)


@router.post("/filings/{filing_id}/deadline")
def change_deadline(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    filing_id: int,
    deadline: Annotated[str, Form()] = "",
    deadline_note: Annotated[str, Form()] = "",
) -> Response:
    try:
        set_deadline(
            db,
            filing_id=filing_id,
            deadline=parse_day(deadline, "deadline"),
            note=deadline_note,
            actor=actor(user),
        )
    except InputError as exc:
        db.rollback()
        return _page(
            request,
            db,
            filing_id,
            errors=field_errors(exc),
            values={"deadline": deadline, "deadline_note": deadline_note},
        )
    db.commit()
    return RedirectResponse(f"/filings/{filing_id}", status_code=303)
