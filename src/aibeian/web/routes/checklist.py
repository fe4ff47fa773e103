"""The compliance checklist per service (issue #11): the items its saved triage selects
(``checklist.applicable_items``), answered yes/no/na with a note and evidence, progress per law and the gaps
in the CLI's order (``checklist.assess``). Every change is audited; viewers read only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from aibeian.checklist import ANSWER_VALUES, LAWS, applicable_items, assess, load_checklist
from aibeian.errors import InputError
from aibeian.settings import Settings
from aibeian.storage import get_service, latest_triage, list_services, record
from aibeian.triage import TriageResult
from aibeian.web import _checklist_store as store
from aibeian.web._templates import field_errors, render
from aibeian.web._uploads import receive_upload
from aibeian.web.deps import CurrentUser, EditorUser, LangDep, SessionDep, SettingsDep, actor

router = APIRouter(prefix="/checklist")

LAW_NAMES: dict[str, tuple[str, str]] = {
    "ai": ("人工智能规则", "AI rules"),
    "pipl": ("个人信息保护法", "PIPL"),
    "csl": ("网络安全法", "CSL"),
    "dsl": ("数据安全法", "DSL"),
}


def _relative(path: Path, folder: Path) -> str:
    """An evidence path as the answers file writes it (relative to its folder)."""
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else str(path)


def _triage(db: Session, service_id: int) -> TriageResult | None:
    entry = latest_triage(db, service_id=service_id)
    return TriageResult.model_validate(entry.result) if entry is not None else None


def service_checklist(db: Session, settings: Settings, service_id: int, lang: str) -> dict[str, Any]:
    """Items, answers and result for one service: what the page and the API show."""
    checklist = load_checklist()
    triage = _triage(db, service_id)
    items = applicable_items(checklist, triage)
    answers = store.read_answers(settings, service_id)
    result = assess(answers, items, checklist=checklist, triage=triage, lang="en" if lang == "en" else "zh")
    return {"checklist": checklist, "triage": triage, "items": items, "answers": answers, "result": result}


@router.get("")
def index(
    request: Request, db: SessionDep, settings: SettingsDep, user: CurrentUser, lang: LangDep
) -> Response:
    rows = []
    for service in list_services(db):
        try:
            data = service_checklist(db, settings, service.id, lang)
            rows.append({"service": service, "result": data["result"], "triaged": data["triage"] is not None})
        except InputError as exc:
            rows.append({"service": service, "problem": str(exc)})
    return render(request, "checklist_index.html", {"rows": rows})


def _page(
    request: Request,
    db: Session,
    settings: Settings,
    service_id: int,
    lang: str,
    law: str = "",
    **extra: Any,
) -> Response:
    service = get_service(db, service_id=service_id)
    try:
        data = service_checklist(db, settings, service_id, lang)
    except InputError as exc:  # a hand-edited answers file the CLI would also refuse
        return render(
            request,
            "checklist.html",
            {"service": service, "file_problem": str(exc), "path": store.answers_path(settings, service_id)},
            status_code=422,
        )
    chosen = law if law in LAWS else ""
    ctx = {
        "service": service,
        **data,
        "shown": [it for it in data["items"] if not chosen or it.law == chosen],
        "law": chosen,
        "laws": LAWS,
        "law_names": LAW_NAMES,
        "gap_ids": {g.id for g in data["result"].gaps},
        "open": {g.id: g.open_conditions for g in data["result"].gaps},
        "path": store.answers_path(settings, service_id),
        "rel": lambda p: _relative(p, store.service_dir(settings, service_id)),
        "suffixes": store.EVIDENCE_SUFFIXES,
        "max_mb": settings.upload_max_mb,
        "errors": {},
        "error_item": None,
        **extra,
    }
    return render(request, "checklist.html", ctx, status_code=422 if extra.get("errors") else 200)


@router.get("/{service_id}")
def service_page(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    lang: LangDep,
    service_id: int,
    law: str = "",
) -> Response:
    return _page(request, db, settings, service_id, lang, law)


@router.post("/{service_id}/items/{item_id}")
async def answer_item(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    lang: LangDep,
    service_id: int,
    item_id: str,
    answer: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    law: Annotated[str, Form()] = "",
    remove: Annotated[list[str] | None, Form()] = None,
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    get_service(db, service_id=service_id)
    if item_id not in load_checklist().ids():
        raise LookupError(f"checklist item {item_id!r}")
    try:
        new = None
        if evidence is not None and evidence.filename:
            if answer not in ANSWER_VALUES:  # refuse before keeping a file for an answer that will fail
                raise InputError(
                    f"answer {answer!r} is not yes, no or na / 请选择 是、否 或 不适用",
                    field="answer",
                    expected="yes, no or na",
                )
            new = await receive_upload(
                evidence,
                folder=store.evidence_dir(settings, service_id, item_id),
                accept=store.EVIDENCE_SUFFIXES,
                max_bytes=settings.upload_max_mb << 20,
                field="evidence",
            )
        before, after = store.save_answer(
            settings,
            service_id,
            item_id=item_id,
            answer=answer,
            note=note,
            new_evidence=new,
            remove=tuple(remove or ()),
        )
    except InputError as exc:
        values = {"answer": answer, "note": note}
        return _page(
            request,
            db,
            settings,
            service_id,
            lang,
            law,
            errors=field_errors(exc),
            error_item=item_id,
            values=values,
        )
    record(
        db,
        actor=actor(user),
        action="checklist.answer",
        entity="service",
        entity_id=service_id,
        detail={"item": item_id, "before": before, "after": after},
    )
    db.commit()
    suffix = f"?law={law}" if law in LAWS else ""
    return RedirectResponse(f"/checklist/{service_id}{suffix}#item-{item_id}", status_code=303)


@router.get("/{service_id}/evidence/{rel:path}")
def evidence_file(
    db: SessionDep, settings: SettingsDep, user: CurrentUser, service_id: int, rel: str
) -> Response:
    """Download an evidence file: only one the answers file names, inside the service's folder."""
    get_service(db, service_id=service_id)
    path = store.evidence_paths(settings, service_id).get(rel)
    if path is None:
        raise LookupError(f"evidence {rel!r}")
    return FileResponse(path, filename=path.name)
