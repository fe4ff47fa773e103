"""Services: list, create, edit, and one service's filings and latest triage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import (
    FILING_TYPES,
    create_service,
    get_service,
    latest_triage,
    list_services,
    update_service,
)
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter(prefix="/services")


@router.get("")
def index(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(request, "services.html", {"services": list_services(db)})


@router.post("")
def create(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    try:
        service = create_service(db, name=name, description=description, actor=actor(user))
    except InputError as exc:
        db.rollback()
        ctx = {
            "services": list_services(db),
            "errors": field_errors(exc),
            "values": {"name": name, "description": description},
        }
        return render(request, "services.html", ctx, status_code=422)
    db.commit()
    return RedirectResponse(f"/services/{service.id}", status_code=303)


def _detail(request: Request, db: SessionDep, service_id: int, **extra: object) -> Response:
    service = get_service(db, service_id=service_id)
    ctx = {
        "service": service,
        "triage": latest_triage(db, service_id=service_id),
        "filing_types": FILING_TYPES,
        **extra,
    }
    return render(request, "service.html", ctx, status_code=422 if extra.get("errors") else 200)


@router.get("/{service_id}")
def detail(request: Request, db: SessionDep, user: CurrentUser, service_id: int) -> Response:
    return _detail(request, db, service_id)


@router.post("/{service_id}")
def edit(
    request: Request,
    db: SessionDep,
    user: EditorUser,
    service_id: int,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    try:
        update_service(db, service_id=service_id, name=name, description=description, actor=actor(user))
    except InputError as exc:
        db.rollback()
        return _detail(
            request,
            db,
            service_id,
            errors=field_errors(exc),
            values={"name": name, "description": description},
        )
    db.commit()
    return RedirectResponse(f"/services/{service_id}", status_code=303)
