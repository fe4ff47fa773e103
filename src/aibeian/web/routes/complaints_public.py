"""The public complaint pages (投诉举报入口): no account needed. The form, the receipt with the tracking
number, and the status page a reporter opens with that number. Every response carries a strict CSP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from aibeian.complaints import STATUS_WORDS, local_iso, normalise_tracking_number
from aibeian.errors import InputError
from aibeian.storage import complaint_by_tracking, complaint_clock_of
from aibeian.web._complaint_intake import RateLimitedError, complaint_policy, harden, intake
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import SessionDep

router = APIRouter()


def _form(request: Request, *, status_code: int = 200, **ctx: object) -> Response:
    policy = complaint_policy(request.app)
    context = {
        "policy": policy,
        "key": uuid.uuid4().hex,
        "accept": ",".join(
            {
                "png": ".png",
                "jpeg": ".jpg,.jpeg",
                "webp": ".webp",
                "pdf": ".pdf",
                "txt": ".txt",
                "docx": ".docx",
            }[t]
            for t in policy.types
        ),
        **ctx,
    }
    return harden(render(request, "complaint_new.html", context, status_code=status_code))


@router.get("/complaint")
def new(request: Request) -> Response:
    return _form(request)


def _read(files: list[UploadFile], limit: int) -> list[tuple[str, str, bytes]]:
    out = []
    for f in files:
        if not f.filename:  # the empty file input a browser sends when nothing was chosen
            continue
        out.append((f.filename, f.content_type or "", f.file.read(limit + 1)))
    return out


@router.post("/complaint")
def submit(
    request: Request,
    db: SessionDep,
    category: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    contact: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form()] = "",
    attachments: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    policy = complaint_policy(request.app)
    values = {"category": category, "description": description, "contact": contact}
    try:
        result = intake(
            request,
            db,
            category=category,
            description=description,
            contact=contact,
            files=_read(attachments or [], policy.max_bytes),
            idempotency_key=idempotency_key or None,
        )
    except RateLimitedError as exc:
        db.rollback()
        response = _form(request, status_code=429, values=values, limited=exc, key=idempotency_key)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except InputError as exc:
        db.rollback()
        return _form(request, status_code=422, values=values, errors=field_errors(exc), key=idempotency_key)
    return RedirectResponse(f"/complaint/status?tracking={result.complaint.tracking}&new=1", status_code=303)


@router.get("/complaint/status")
def status(request: Request, db: SessionDep, tracking: str = "", new: int = 0) -> Response:
    ctx: dict[str, object] = {
        "tracking": tracking,
        "new": bool(new),
        "words": STATUS_WORDS,
        "local_iso": local_iso,
    }
    if tracking:
        try:
            complaint = complaint_by_tracking(db, tracking=normalise_tracking_number(tracking))
        except InputError as exc:
            ctx["errors"] = field_errors(exc)
            return harden(render(request, "complaint_status.html", ctx, status_code=422))
        if complaint is None:
            ctx["not_found"] = True
            return harden(render(request, "complaint_status.html", ctx, status_code=404))
        policy = complaint_policy(request.app)
        ctx["complaint"] = complaint
        ctx["clock"] = complaint_clock_of(complaint, now=datetime.now(UTC))
        ctx["category"] = next((c for c in policy.categories if c.id == complaint.category), None)
    return harden(render(request, "complaint_status.html", ctx))
