"""Evaluations: the runs in the configured folder, each run's metrics against the thresholds, a paged
item browser with filters (htmx swaps the table), and the report download (``evaluation.build_report``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from aibeian.evaluation import build_report, write_report
from aibeian.web import _runs
from aibeian.web._templates import render
from aibeian.web.deps import CurrentUser, LangDep, SettingsDep

router = APIRouter(prefix="/evaluations")

REPORT_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@router.get("")
def index(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    runs, problems = _runs.list_runs(settings.evaluation_runs_dir())
    return render(
        request,
        "evaluations.html",
        {"runs": runs, "problems": problems, "root": settings.evaluation_runs_dir()},
    )


def _filters(outcome: str, kind: str, risk: str, q: str) -> dict[str, str]:
    return {"outcome": outcome, "kind": kind, "risk": risk, "q": q.strip()}


@router.get("/{name}")
def run(
    request: Request,
    settings: SettingsDep,
    user: CurrentUser,
    name: str,
    page: int = 1,
    size: int = 50,
    outcome: str = "",
    kind: str = "",
    risk: str = "",
    q: str = "",
) -> Response:
    run_dir = _runs.open_run(settings.evaluation_runs_dir(), name)
    filters = _filters(outcome, kind, risk, q)
    items = _runs.item_page(run_dir, page=page, size=size, filters=filters)
    template = "run_items.html" if request.headers.get("hx-request") else "run.html"
    return render(request, template, {"run": _runs.summary(run_dir), "page": items, "filters": filters})


@router.get("/{name}/report.{fmt}")
def report(settings: SettingsDep, user: CurrentUser, lang: LangDep, name: str, fmt: str) -> Response:
    if fmt not in REPORT_TYPES:
        raise LookupError(f"report format {fmt!r} (html or md)")
    run_dir = _runs.open_run(settings.evaluation_runs_dir(), name)
    text = write_report(build_report(run_dir, lang=lang), fmt if fmt == "html" else "markdown", None)
    disposition = f'attachment; filename="{name}-report.{fmt}"'
    return Response(text, media_type=REPORT_TYPES[fmt], headers={"Content-Disposition": disposition})
