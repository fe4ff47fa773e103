"""Evaluations: the runs in the configured folder, each run's metrics against the thresholds, a paged
item browser with filters (htmx swaps the table), and the report download (``evaluation.build_report``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.evaluation import build_report, write_report
from aibeian.jobs import bank_files, start_evaluation
from aibeian.web import _runs
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, LangDep, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/evaluations")

REPORT_TYPES = {"html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@router.get("")
def index(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    return _index(request, settings)


def _index(request: Request, settings: SettingsDep, status_code: int = 200, **extra: object) -> Response:
    runs, problems = _runs.list_runs(settings.evaluation_runs_dir())
    return render(
        request,
        "evaluations.html",
        {
            "runs": runs,
            "problems": problems,
            "root": settings.evaluation_runs_dir(),
            "banks": bank_files(settings),
            "banks_root": settings.banks_root(),
            **extra,
        },
        status_code=status_code,
    )


@router.post("/start")
def start(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    user: EditorUser,
    name: Annotated[str, Form()] = "",
    banks: Annotated[list[str] | None, Form()] = None,
    target_url: Annotated[str, Form()] = "",
    model: Annotated[str, Form()] = "",
    api_key_env: Annotated[str, Form()] = "",
    judges: Annotated[str, Form()] = "refusal",
    sample: Annotated[str, Form()] = "",
) -> Response:
    """Queue an evaluation run as a background job (``aibeian.jobs.start_evaluation``) and show its page."""
    values = {"name": name, "banks": banks or [], "target_url": target_url, "model": model}
    values |= {"api_key_env": api_key_env, "judges": judges, "sample": sample}
    try:
        size = int(sample) if sample.strip() else None
    except ValueError:
        return _index(
            request, settings, 422, errors={"sample": "not a whole number / 须为整数"}, values=values
        )
    try:
        job = start_evaluation(
            db,
            settings,
            name=name,
            banks=banks or [],
            target_url=target_url,
            model=model,
            api_key_env=api_key_env,
            judges=judges,
            sample=size,
            actor=actor(user),
        )
    except InputError as exc:
        db.rollback()
        return _index(request, settings, 422, errors=field_errors(exc), values=values)
    db.commit()
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


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
