"""Accounts (admins only): list users and create one with a role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import ROLES, create_user, list_users
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import AdminUser, SessionDep, actor

router = APIRouter(prefix="/users")


@router.get("")
def index(request: Request, db: SessionDep, user: AdminUser) -> Response:
    return render(request, "users.html", {"users": list_users(db), "roles": ROLES})


@router.post("")
def create(
    request: Request,
    db: SessionDep,
    user: AdminUser,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "viewer",
    display_name: Annotated[str, Form()] = "",
) -> Response:
    try:
        create_user(
            db,
            username=username.strip(),
            password=password,
            role=role,
            actor=actor(user),
            display_name=display_name.strip(),
        )
    except InputError as exc:
        db.rollback()
        ctx = {
            "users": list_users(db),
            "roles": ROLES,
            "errors": field_errors(exc),
            "values": {"username": username, "role": role, "display_name": display_name},
        }
        return render(request, "users.html", ctx, status_code=422)
    db.commit()
    return RedirectResponse("/users", status_code=303)
