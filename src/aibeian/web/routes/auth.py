"""Sign in and out, and the language switch: the only screens an anonymous visitor reaches."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.storage import authenticate, record
from aibeian.web._templates import render
from aibeian.web.deps import CurrentUser, SessionDep, StoreDep, actor

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let a phishing link bounce through our login."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, store: StoreDep, next: str = "/") -> Response:
    """Checks the store first, so a broken database is reported before anyone types a password."""
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    db: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    ctx = {"next": _safe_next(next), "values": {"username": username}}
    if limiter.blocked(client, username):
        msg = "登录失败次数过多，请稍后再试。 / Too many failed attempts; try again later."
        return render(request, "login.html", {**ctx, "errors": {"": msg}}, status_code=429)
    user = authenticate(db, username=username.strip(), password=password)
    if user is None:
        limiter.failed(client, username)
        msg = "用户名或密码错误。 / Wrong user name or password."
        return render(request, "login.html", {**ctx, "errors": {"password": msg}}, status_code=401)
    limiter.succeeded(client, username)
    lang = request.session.get("lang")
    request.session.clear()  # a new session on sign-in: no fixation of a pre-login cookie
    request.session.update({"uid": user.id, "pw": user.password_hash[-16:]})
    if lang:
        request.session["lang"] = lang
    record(db, actor=actor(user), action="user.login", entity="user", entity_id=user.id)
    db.commit()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, user: CurrentUser) -> Response:
    lang = request.session.get("lang")
    request.session.clear()
    if lang:
        request.session["lang"] = lang
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """A display preference in the session only; it changes no stored data, so a link (GET) is fine."""
    request.session["lang"] = "en" if code == "en" else "zh"
    return RedirectResponse(_safe_next(next), status_code=303)
