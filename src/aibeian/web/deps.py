"""Every dependency the routes use, as ``Annotated`` aliases (the full-stack-fastapi-template shape)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from aibeian.settings import Settings
from aibeian.storage import Actor, Store, User, get_user
from aibeian.web._errors import CsrfError, ForbiddenError, LoginRequiredError
from aibeian.web._i18n import Lang
from aibeian.web._security import new_token, tokens_match

__all__ = [
    "AdminUser",
    "CurrentUser",
    "EditorUser",
    "LangDep",
    "OptionalUser",
    "SessionDep",
    "SettingsDep",
    "StoreDep",
    "actor",
    "csrf_token",
    "verify_csrf",
]

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    """The store, checked (reachable, right migration) on first use and again after any failed check."""
    state = request.app.state
    if not state.store_ready:
        state.store.check()
        state.store_ready = True
    store: Store = state.store
    return store


def get_db(store: Annotated[Store, Depends(get_store)]) -> Iterator[Session]:
    """A session per request; routes that change something commit explicitly, anything else rolls back."""
    session = store.new_session()
    try:
        yield session
    finally:
        session.close()


def get_lang(request: Request) -> Lang:
    lang = request.session.get("lang") or request.app.state.settings.lang
    return "en" if lang == "en" else "zh"


def optional_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> User | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    user = get_user(db, user_id=uid)
    if user is None or not user.active or request.session.get("pw") != user.password_hash[-16:]:
        request.session.pop("uid", None)
        return None
    request.state.user = user
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise LoginRequiredError
    return user


def editor_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role not in ("admin", "reviewer"):
        raise ForbiddenError
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if user.role != "admin":
        raise ForbiddenError
    return user


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = new_token()
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """App-wide: every state-changing request carries the session's token (form field or header)."""
    if request.method not in UNSAFE:
        return
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not tokens_match(request.session.get("csrf"), given):
        raise CsrfError


def actor(user: User) -> Actor:
    return Actor(name=user.username, id=user.id)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_db)]
LangDep = Annotated[Lang, Depends(get_lang)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
EditorUser = Annotated[User, Depends(editor_user)]
AdminUser = Annotated[User, Depends(admin_user)]
