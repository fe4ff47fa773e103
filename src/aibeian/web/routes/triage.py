"""The triage wizard: the standards' questionnaire as a form, ``aibeian.triage.assess`` on submit, and the
result saved to a service when asked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from aibeian.errors import InputError
from aibeian.storage import get_service, latest_triage, list_services, save_triage
from aibeian.triage import assess
from aibeian.web import _triage_form as form_adapter
from aibeian.web._errors import ForbiddenError
from aibeian.web._templates import field_errors, render
from aibeian.web.deps import CurrentUser, LangDep, SessionDep, actor

router = APIRouter(prefix="/triage")


def _page(request: Request, db: SessionDep, **ctx: Any) -> Response:
    base = {
        "questions": form_adapter.questions(),
        "services": list_services(db),
        "result": None,
        "service_id": None,
    }
    status = 422 if ctx.get("errors") else 200
    return render(request, "triage.html", {**base, **ctx}, status_code=status)


@router.get("")
def wizard(request: Request, db: SessionDep, user: CurrentUser, service_id: int | None = None) -> Response:
    values: dict[str, Any] = {}
    if service_id is not None:
        get_service(db, service_id=service_id)
        entry = latest_triage(db, service_id=service_id)
        if entry is not None:
            values = form_adapter.values_from_answers(entry.answers)
    return _page(request, db, values=values, service_id=service_id)


@router.post("")
async def submit(request: Request, db: SessionDep, user: CurrentUser, lang: LangDep) -> Response:
    form = await request.form()
    if form.get("action") == "save" and user.role not in ("admin", "reviewer"):
        raise ForbiddenError
    raw = form_adapter.raw_answers(form)
    sid_text = form.get("service_id")
    service_id = int(sid_text) if isinstance(sid_text, str) and sid_text.isdigit() else None
    values = form_adapter.values_from_answers(raw)
    if isinstance(form.get("upstream_filing_number"), str):
        values["upstream_filing_number"] = form.get("upstream_filing_number")
    try:
        answers = form_adapter.validate(raw)
    except InputError as exc:
        return _page(request, db, values=values, errors=field_errors(exc), service_id=service_id)
    result = assess(answers, lang=lang)
    if form.get("action") == "save":
        if service_id is None:
            msg = "请选择要保存到的服务。 / Choose the service to save the result to."
            return _page(request, db, values=values, errors={"service_id": msg}, result=result)
        save_triage(db, service_id=service_id, answers=answers, result=assess(answers), actor=actor(user))
        db.commit()
        return RedirectResponse(f"/services/{service_id}", status_code=303)
    return _page(request, db, values=values, result=result, service_id=service_id)
