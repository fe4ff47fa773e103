"""The dossier screen, per filing: the facts form with completeness (``dossier.check_dossier``), the build
options, a build as a background job, and the package download. The work is in ``web._dossier`` over the
dossier package; these handlers only move requests and pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import get_filing, get_job, list_filings, list_jobs
from aibeian.web import _dossier
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/dossier")


@router.get("")
def index(request: Request, db: SessionDep, user: CurrentUser) -> Response:
    return render(request, "dossier_index.html", {"filings": list_filings(db)})


def _page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    filing_id: int,
    status_code: int = 200,
    **extra: object,
) -> Response:
    filing = get_filing(db, filing_id=filing_id)
    facts = _dossier.load_or_init(db, settings, filing)
    builds = [
        j
        for j in list_jobs(db, kind="dossier_build", service_id=filing.service_id, limit=200)
        if j.params.get("filing_id") == filing.id
    ]
    ctx = {
        "filing": filing,
        "facts": facts,
        "fields": _dossier.fields_of(facts),
        "values": _dossier.form_values(facts),
        "check": _dossier.completeness(settings, filing.id, facts, service_id=filing.service_id),
        "options": _dossier.load_options(settings, filing.id),
        "choices": _dossier.options_choices(settings),
        "builds": builds,
        "extra_rows": _dossier.TABLE_ROWS_EXTRA,
        **extra,
    }
    return render(request, "dossier.html", ctx, status_code=status_code)


@router.get("/{filing_id}")
def page(
    request: Request, db: SessionDep, settings: SettingsDep, user: CurrentUser, filing_id: int
) -> Response:
    return _page(request, db, settings, filing_id)


@router.post("/{filing_id}/facts")
async def save_facts(
    request: Request, db: SessionDep, settings: SettingsDep, user: EditorUser, filing_id: int
) -> Response:
    filing = get_filing(db, filing_id=filing_id)
    facts = _dossier.load_or_init(db, settings, filing)
    form = await request.form()
    text = _dossier.decode_form(facts, dict(form))
    try:
        _dossier.save_facts(settings, filing.id, text)
    except InputError as exc:
        submitted: dict[str, object] = {k: v for k, v in form.items()}
        for f in _dossier.fields_of(facts):
            if f.type == "table":
                submitted[f.path] = [
                    {c: form.get(f"{f.path}.{i}.{c}", "") for c in f.columns}
                    for i in range(200)
                    if any(f"{f.path}.{i}.{c}" in form for c in f.columns)
                ]
        return _page(request, db, settings, filing_id, 422, errors=field_errors(exc), values=submitted)
    return RedirectResponse(f"/dossier/{filing_id}#facts", status_code=303)


@router.post("/{filing_id}/options")
def save_options(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    filing_id: int,
    runs: Annotated[list[str] | None, Form()] = None,
    banks: Annotated[list[str] | None, Form()] = None,
    lang: Annotated[str, Form()] = "zh",
    keywords: Annotated[str, Form()] = "",
) -> Response:
    get_filing(db, filing_id=filing_id)
    options = _dossier.BuildOptions(
        runs=runs or [], banks=banks or [], lang="en" if lang == "en" else "zh", keywords=bool(keywords)
    )
    try:
        _dossier.save_options(settings, filing_id, options)
    except InputError as exc:
        return _page(request, db, settings, filing_id, 422, errors=field_errors(exc))
    return RedirectResponse(f"/dossier/{filing_id}#build", status_code=303)


@router.post("/{filing_id}/build")
def build(
    request: Request, db: SessionDep, settings: SettingsDep, user: EditorUser, filing_id: int
) -> Response:
    filing = get_filing(db, filing_id=filing_id)
    _dossier.load_or_init(db, settings, filing)
    job = _dossier.start_dossier_build(db, settings, filing=filing, actor=actor(user))
    db.commit()
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/{filing_id}/facts.yaml")
def facts_file(db: SessionDep, settings: SettingsDep, user: CurrentUser, filing_id: int) -> Response:
    filing = get_filing(db, filing_id=filing_id)
    _dossier.load_or_init(db, settings, filing)
    path = _dossier.workspace(settings, filing.id) / "facts.yaml"
    return FileResponse(path, media_type="application/x-yaml", filename=f"facts-filing-{filing.id}.yaml")


@router.get("/{filing_id}/package/{job_id}")
def download(
    db: SessionDep, settings: SettingsDep, user: CurrentUser, filing_id: int, job_id: int
) -> Response:
    """The zip a succeeded build job wrote, only from inside this filing's dossier folder."""
    filing = get_filing(db, filing_id=filing_id)
    job = get_job(db, job_id=job_id)
    if job.kind != "dossier_build" or job.params.get("filing_id") != filing.id or job.status != "succeeded":
        raise LookupError(f"package of build {job_id} for filing {filing_id}")
    root = _dossier.workspace(settings, filing.id).resolve()
    path = Path(str(job.result.get("package", ""))).resolve()
    if root not in path.parents or not path.is_file():
        raise LookupError(f"package of build {job_id}")
    name = re.sub(r"[^\w.-]+", "_", f"dossier-{filing.type}-filing{filing.id}-build{job.id}.zip")
    return FileResponse(path, media_type="application/zip", filename=name)
