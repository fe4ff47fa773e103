"""``/api/services/{id}/checklist``: a service's checklist result (the ``checklist answer --format json``
shape) and answering one item (evidence files are uploaded on the screen)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aibeian.storage import get_service, record
from aibeian.web import _checklist_store as store
from aibeian.web.deps import CurrentUser, EditorUser, LangDep, SessionDep, SettingsDep, actor
from aibeian.web.routes.checklist import service_checklist

router = APIRouter(prefix="/services", tags=["checklist"])


class ChecklistPublic(BaseModel):
    applicable: int
    answered: int
    gaps: list[dict[str, Any]]
    ready: bool
    unevidenced: list[str]
    by_law: dict[str, dict[str, int]]
    triaged: bool = Field(description="false: the service has no saved triage, so every item applies")


class AnswerUpdate(BaseModel):
    answer: Literal["yes", "no", "na"]
    note: str = Field("", max_length=2000)


def _public(data: dict[str, Any]) -> ChecklistPublic:
    return ChecklistPublic(**data["result"].to_json_dict(), triaged=data["triage"] is not None)


@router.get("/{service_id}/checklist", response_model=ChecklistPublic)
def read_checklist(
    service_id: int, db: SessionDep, settings: SettingsDep, user: CurrentUser, lang: LangDep
) -> ChecklistPublic:
    get_service(db, service_id=service_id)
    return _public(service_checklist(db, settings, service_id, lang))


@router.put("/{service_id}/checklist/{item_id}", response_model=ChecklistPublic)
def answer_item(
    service_id: int,
    item_id: str,
    body: AnswerUpdate,
    db: SessionDep,
    settings: SettingsDep,
    user: EditorUser,
    lang: LangDep,
) -> ChecklistPublic:
    """Answer one item (keeping its evidence); returns the service's updated checklist result."""
    get_service(db, service_id=service_id)
    before, after = store.save_answer(
        settings, service_id, item_id=item_id, answer=body.answer, note=body.note
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
    return _public(service_checklist(db, settings, service_id, lang))
