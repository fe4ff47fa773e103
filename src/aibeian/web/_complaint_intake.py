"""The public complaint intake shared by the HTML form and the JSON API: policy, flood limit, idempotency.

Order matters: a retry of an accepted submission (same idempotency key) is answered first, so a client
retrying never meets the flood limit; then the flood limit counts the attempt; then the text and files are
checked; only a submission that passed everything is stored, in one transaction with its files.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from aibeian.complaints import (
    ComplaintPolicy,
    SubmissionLimiter,
    check_idempotency_key,
    draft_complaint,
    load_policy,
)
from aibeian.storage import Complaint, complaint_by_key, same_submission, submit_complaint

__all__ = [
    "SECURITY_HEADERS",
    "IntakeSizeGuard",
    "RateLimitedError",
    "TooLargeError",
    "client_address",
    "complaint_policy",
    "csrf_except_public_intake",
    "guard_size",
    "harden",
    "intake",
]

_LOCK = threading.Lock()

# No inline script anywhere on these pages: even if escaping failed, injected script would not run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class RateLimitedError(Exception):
    """Too many submissions from one address; ``retry_after`` seconds until the next is accepted."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, (retry_after + 59) // 60)
        self.zh = f"同一网络地址提交过于频繁，请约 {minutes} 分钟后再试。已提交的投诉不受影响。"
        self.en = (
            f"Too many submissions from your network address; please try again in about {minutes} minute(s). "
            "Complaints already submitted are not affected."
        )
        super().__init__(self.en)


class TooLargeError(Exception):
    def __init__(self, size: int, limit: int) -> None:
        self.zh = f"提交内容过大（{size} 字节，上限 {limit} 字节），请减少或压缩附件。"
        self.en = (
            f"The submission is too large ({size} bytes, at most {limit}); attach fewer or smaller files."
        )
        super().__init__(self.en)


def complaint_policy(app: FastAPI) -> ComplaintPolicy:
    """``app.state.complaint_policy`` when the launcher set one (the provider's file), else the packaged one."""
    policy = getattr(app.state, "complaint_policy", None)
    if policy is None:
        with _LOCK:
            policy = getattr(app.state, "complaint_policy", None) or load_policy()
            app.state.complaint_policy = policy
    assert isinstance(policy, ComplaintPolicy)
    return policy


def _limiter(app: FastAPI, policy: ComplaintPolicy) -> SubmissionLimiter:
    limiter = getattr(app.state, "complaint_limiter", None)
    if limiter is None:
        with _LOCK:
            limiter = getattr(app.state, "complaint_limiter", None)
            if limiter is None:
                limiter = SubmissionLimiter(
                    max_submissions=policy.max_submissions, window_seconds=policy.window_seconds
                )
                app.state.complaint_limiter = limiter
    assert isinstance(limiter, SubmissionLimiter)
    return limiter


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def guard_size(request: Request, policy: ComplaintPolicy) -> None:
    """Refuse by Content-Length before reading a body no valid submission could have."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > policy.max_request_bytes():
        raise TooLargeError(int(length), policy.max_request_bytes())


def harden(response: Response) -> Response:
    response.headers.update(SECURITY_HEADERS)
    return response


@dataclass(frozen=True)
class Intake:
    complaint: Complaint
    created: bool


def intake(
    request: Request,
    db: Session,
    *,
    category: str,
    description: str,
    contact: str,
    files: list[tuple[str, str, bytes]],
    idempotency_key: str | None,
) -> Intake:
    """Check and store one public submission, committed before this returns (so acknowledged = stored)."""
    policy = complaint_policy(request.app)
    key = check_idempotency_key(idempotency_key)
    if key is not None and (found := complaint_by_key(db, key=key)) is not None:
        draft = draft_complaint(
            category=category, description=description, contact=contact, files=files, policy=policy
        )
        return Intake(same_submission(found, draft), created=False)
    wait = _limiter(request.app, policy).try_acquire(client_address(request))
    if wait:
        raise RateLimitedError(wait)
    draft = draft_complaint(
        category=category, description=description, contact=contact, files=files, policy=policy
    )
    complaint, created = submit_complaint(db, draft=draft, policy=policy, idempotency_key=key)
    db.commit()
    return Intake(complaint, created)


PUBLIC_JSON_WRITES = frozenset({"/api/complaints"})
INTAKE_PATHS = frozenset({"/complaint", "/api/complaints"})


async def csrf_except_public_intake(request: Request) -> None:
    """The app-wide CSRF check, except for the anonymous JSON intake: it acts for no signed-in user, so a
    forged cross-site request could do nothing an anonymous reporter cannot do anyway (and a cross-site
    JSON POST needs a CORS preflight we never grant). The public HTML form keeps its token."""
    from aibeian.web.deps import verify_csrf

    if request.method == "POST" and request.url.path in PUBLIC_JSON_WRITES:
        return
    await verify_csrf(request)


class IntakeSizeGuard:
    """ASGI middleware: a POST to the intake larger than any valid submission is refused with 413 before
    its body is read (by Content-Length, or by counting a chunked body as it arrives)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in INTAKE_PATHS:
            await self.app(scope, receive, send)
            return
        limit = complaint_policy(scope["app"]).max_request_bytes()
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:
            await _too_large(scope, send, int(length), limit)
            return
        seen = 0
        responded = False

        async def counted() -> Any:
            nonlocal seen, responded
            if responded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # answer now; the app then sees a disconnect and its reply is dropped
                    responded = True
                    await _too_large(scope, send, seen, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Any) -> None:
            if not responded:
                await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not responded:
                raise


async def _too_large(scope: Any, send: Any, size: int, limit: int) -> None:
    err = TooLargeError(size, limit)
    if scope["path"].startswith("/api"):
        response: Response = JSONResponse(
            {"error": "too_large", "message": err.en, "message_zh": err.zh}, status_code=413
        )
    else:
        response = HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>413</title><p>{html.escape(err.zh)}</p>"
            f"<p>{html.escape(err.en)}</p><p><a href=/complaint>返回 / back</a></p>",
            status_code=413,
        )
    harden(response)
    await response(scope, _no_receive, send)


async def _no_receive() -> dict[str, Any]:
    return {"type": "http.disconnect"}
