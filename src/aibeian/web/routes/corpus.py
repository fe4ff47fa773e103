"""Corpus manual review: the scan runs under ``AIBEIAN_CORPUS_RUNS_DIR``, and a one-item-at-a-time screen
(keyboard shortcuts) whose verdicts go into the run directory through the corpus package, so
``aibeian corpus report`` counts them. Viewers may read; reviewers and admins record verdicts, start a scan
(a ``corpus_scan`` background job, checked like ``POST /api/jobs``) and draw a run's manual sample."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from aibeian.corpus import RunDir, claim, claimed_by_others, record_verdict
from aibeian.errors import InputError
from aibeian.standards import load_standards
from aibeian.storage import User, record
from aibeian.web import _corpus_form as scan_form
from aibeian.web import _corpus_review as view
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/corpus")


def _mode(value: str) -> view.Mode:
    return "second" if value == "second" else "first"


@router.get("")
def index(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    return _index(request, settings)


def _index(request: Request, settings: SettingsDep, status_code: int = 200, **extra: object) -> Response:
    root = settings.corpus_runs()
    ctx = {
        "runs": view.list_corpus_runs(root),
        "root": root,
        "scan": scan_form.form_defaults(settings),
        **extra,
    }
    return render(request, "corpus.html", ctx, status_code=status_code)


@router.post("/scan")
async def start_scan(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    user: EditorUser,
    name: Annotated[str, Form()] = "",
    corpus: Annotated[str, Form()] = "",
    sources: Annotated[str, Form()] = "",
    keywords: Annotated[str, Form()] = "",
    sample_rate: Annotated[str, Form()] = "",
    seed: Annotated[str, Form()] = "0",
    engine: Annotated[str, Form()] = "local",
    corpus_file: Annotated[UploadFile | None, File()] = None,
    sources_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Queue a corpus scan as a background job and show its page (live progress)."""
    form = scan_form.ScanForm(
        name=name,
        corpus=corpus,
        sources=sources,
        keywords=keywords,
        sample_rate=sample_rate,
        seed=seed,
        engine=engine,
        uploads={"corpus_file": corpus_file, "sources_file": sources_file},
    )
    try:
        job = await scan_form.start_scan(db, settings, form, actor=actor(user))
    except InputError as exc:
        db.rollback()
        return _index(request, settings, 422, errors=field_errors(exc), values=form.values())
    db.commit()
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


def _item_page(
    request: Request,
    run: RunDir,
    user: User,
    mode: view.Mode,
    index: int | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    sample = view.load_sample(run)
    state = view.review_state(run)
    reviewer = user.username
    if index is None:
        index = view.next_index(sample, state, reviewer, mode, skip=claimed_by_others(run, reviewer))
    elif sample:
        index = min(max(index, 0), len(sample) - 1)
    item = sample[index] if index is not None and sample else None
    if (
        item is not None
        and user.role in ("admin", "reviewer")
        and view.waiting(state, str(item["id"]), reviewer, mode)
    ):
        claim(run, item_id=str(item["id"]), reviewer=reviewer)
    mine = others = None
    if item is not None:
        mine = state.reviewed_by(str(item["id"]), reviewer)
        if mine is not None:  # blind until one's own verdict is in
            others = [
                v
                for v in [state.primary.get(str(item["id"])), state.second(str(item["id"]))]
                if v is not None and str(v.get("reviewer") or "") != reviewer
            ]
    ctx: dict[str, Any] = {
        "run_name": run.path.name,
        "mode": mode,
        "index": index,
        "item": item,
        "total": len(sample),
        "mine": mine,
        "others": others,
        "waiting": view.waiting(state, str(item["id"]), reviewer, mode) if item else False,
        "remaining": view.remaining(sample, state, reviewer, mode),
        "progress": view.progress(run, state, sample),
        "risks": load_standards().risks,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "corpus_review.html", ctx, status_code=422 if errors else 200)


@router.get("/{name}")
def overview(request: Request, settings: SettingsDep, user: CurrentUser, name: str) -> Response:
    run = view.open_corpus_run(settings.corpus_runs(), name)
    return _overview(request, run)


def _overview(request: Request, run: RunDir, status_code: int = 200, **extra: object) -> Response:
    has_sample = view.has_sample(run)
    ctx = {
        "run_name": run.path.name,
        "meta": run.meta(),
        "has_sample": has_sample,
        "progress": view.progress(run) if has_sample else None,
        "sample_size": scan_form.manual_sample_size(),
        **extra,
    }
    return render(request, "corpus_run.html", ctx, status_code=status_code)


@router.post("/{name}/sample")
def draw_sample(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    user: EditorUser,
    name: str,
    n: Annotated[str, Form()] = "",
) -> Response:
    """Draw the run's manual review sample (``aibeian corpus sample``), then the run's page offers review."""
    run = view.open_corpus_run(settings.corpus_runs(), name)
    try:
        drawn = scan_form.draw_sample(run, n)
    except InputError as exc:
        return _overview(request, run, 422, errors=field_errors(exc), values={"n": n})
    record(
        db,
        actor=actor(user),
        action="corpus.sample",
        entity="corpus_run",
        detail={"run": name, "drawn": drawn},
    )
    db.commit()
    return RedirectResponse(f"/corpus/{name}", status_code=303)


@router.get("/{name}/review")
def review(
    request: Request,
    settings: SettingsDep,
    user: CurrentUser,
    name: str,
    mode: str = "first",
    i: int | None = None,
) -> Response:
    run = view.open_corpus_run(settings.corpus_runs(), name)
    return _item_page(request, run, user, _mode(mode), i)


@router.post("/{name}/review")
def save_verdict(
    request: Request,
    settings: SettingsDep,
    db: SessionDep,
    user: EditorUser,
    name: str,
    item_id: Annotated[str, Form()] = "",
    qualified: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "first",
    i: Annotated[int, Form()] = 0,
) -> Response:
    run = view.open_corpus_run(settings.corpus_runs(), name)
    m = _mode(mode)
    values = {"qualified": qualified, "reason": reason}
    try:
        if qualified not in ("yes", "no"):
            raise InputError(
                "choose qualified (y) or not qualified (n) / 请选择合格 (Y) 或不合格 (N)",
                field="qualified",
                expected="yes or no",
            )
        verdict = record_verdict(
            run, item_id=item_id, qualified=qualified == "yes", reason=reason, reviewer=user.username
        )
    except InputError as exc:
        return _item_page(request, run, user, m, i, errors=field_errors(exc), values=values)
    record(
        db,
        actor=actor(user),
        action="corpus.review",
        entity="corpus_run",
        detail={
            "run": name,
            "item": item_id,
            "qualified": verdict["qualified"],
            "reason": verdict["reason"],
            "primary": verdict["primary"],
        },
    )
    db.commit()
    sample = view.load_sample(run)
    skip = claimed_by_others(run, user.username)
    nxt = view.next_index(sample, view.review_state(run), user.username, m, after=i, skip=skip)
    target = f"/corpus/{name}/review?mode={m}" + (f"&i={nxt}" if nxt is not None else "")
    return RedirectResponse(target, status_code=303)
