"""The audit log: who changed what, when — every role may read it, nobody can edit it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aibeian.storage import count_audit, list_audit
from aibeian.web._templates import render
from aibeian.web.deps import CurrentUser, SessionDep

router = APIRouter(prefix="/audit")
PAGE = 50


@router.get("")
def index(request: Request, db: SessionDep, user: CurrentUser, page: int = 1) -> Response:
    total = count_audit(db)
    pages = max(1, -(-total // PAGE))
    page = min(max(1, page), pages)
    entries = list_audit(db, limit=PAGE, offset=(page - 1) * PAGE)
    return render(request, "audit.html", {"entries": entries, "page": page, "pages": pages, "total": total})
