"""``/api/me``, ``/api/dashboard``, ``/api/triage`` (stateless assessment) and ``/api/runs`` (paged items)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, Query

from aibeian.files import LocatedDocument
from aibeian.storage import dashboard
from aibeian.triage import answers_from_document, assess
from aibeian.web import _runs
from aibeian.web.api.schemas import DashboardPublic, ItemsPage, RunPublic, UserPublic
from aibeian.web.deps import CurrentUser, LangDep, SessionDep, SettingsDep

router = APIRouter()


@router.get("/me", response_model=UserPublic, tags=["accounts"])
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.get("/dashboard", response_model=DashboardPublic, tags=["dashboard"])
def read_dashboard(db: SessionDep, user: CurrentUser, lang: LangDep) -> DashboardPublic:
    board = dashboard(db, today=date.today(), lang=lang)
    return DashboardPublic.model_validate(board)


@router.post("/triage", tags=["triage"])
def run_triage(user: CurrentUser, lang: LangDep, answers: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    """The answers file's keys as JSON in, the triage result JSON (the CLI's ``--format json``) out."""
    result = assess(answers_from_document(LocatedDocument(data=answers, path="request")), lang=lang)
    return result.to_json_dict()


@router.get("/runs", response_model=list[RunPublic], tags=["evaluations"])
def read_runs(settings: SettingsDep, user: CurrentUser) -> list[RunPublic]:
    runs, _problems = _runs.list_runs(settings.evaluation_runs_dir())
    return [
        RunPublic(name=r.name, status=r.status, created=r.created, target=r.target, results=r.results)
        for r in runs
    ]


@router.get("/runs/{name}/items", response_model=ItemsPage, tags=["evaluations"])
def read_items(
    name: str,
    settings: SettingsDep,
    user: CurrentUser,
    page: int = Query(1, ge=1),
    size: int = Query(50),
    outcome: str = "",
    kind: str = "",
    risk: str = "",
    q: str = "",
) -> ItemsPage:
    run_dir = _runs.open_run(settings.evaluation_runs_dir(), name)
    p = _runs.item_page(
        run_dir, page=page, size=size, filters={"outcome": outcome, "kind": kind, "risk": risk, "q": q}
    )
    return ItemsPage(items=p.items, total=p.total, page=p.page, pages=p.pages, size=p.size)
