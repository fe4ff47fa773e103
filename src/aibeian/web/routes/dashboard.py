"""The dashboard: filings and their status, next deadlines, failing checks (``storage.dashboard``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aibeian.storage import dashboard
from aibeian.web._templates import render
from aibeian.web.deps import CurrentUser, LangDep, SessionDep

router = APIRouter()


@router.get("/")
def show(request: Request, db: SessionDep, user: CurrentUser, lang: LangDep) -> Response:
    board = dashboard(db, today=date.today(), lang=lang)
    return render(request, "dashboard.html", {"board": board, "today": date.today()})
