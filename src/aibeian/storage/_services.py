"""Services and the triage results saved for them. The triage itself is ``aibeian.triage.assess``; this
module only stores its answers and result, so a later code version can re-assess the same answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aibeian.errors import InputError
from aibeian.storage._audit import Actor, record
from aibeian.storage._schema import Service, TriageRecord
from aibeian.triage import TriageAnswers, TriageResult

__all__ = [
    "create_service",
    "get_service",
    "latest_triage",
    "list_services",
    "save_triage",
    "triage_answers",
    "update_service",
]


def _check_name(session: Session, name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise InputError("the name is empty", field="name", expected="the service's name, e.g. 智能客服")
    if len(name) > 200:
        raise InputError("the name is too long", field="name", expected="at most 200 characters")
    existing = session.scalar(select(Service).where(Service.name == name))
    if existing is not None and existing.id != exclude:
        raise InputError(f"a service named {name!r} exists already", field="name", expected="a new name")
    return name


def create_service(session: Session, *, name: str, description: str = "", actor: Actor) -> Service:
    service = Service(name=_check_name(session, name), description=description.strip())
    session.add(service)
    session.flush()
    record(
        session,
        actor=actor,
        action="service.create",
        entity="service",
        entity_id=service.id,
        detail={"name": service.name},
    )
    return service


def update_service(
    session: Session, *, service_id: int, name: str, description: str, actor: Actor
) -> Service:
    service = get_service(session, service_id=service_id)
    before = {"name": service.name, "description": service.description}
    service.name = _check_name(session, name, exclude=service_id)
    service.description = description.strip()
    record(
        session,
        actor=actor,
        action="service.update",
        entity="service",
        entity_id=service.id,
        detail={"before": before, "after": {"name": service.name, "description": service.description}},
    )
    return service


def get_service(session: Session, *, service_id: int) -> Service:
    service = session.get(Service, service_id, options=[selectinload(Service.filings)])
    if service is None:
        raise LookupError(f"service {service_id}")
    return service


def list_services(session: Session) -> list[Service]:
    query = select(Service).options(selectinload(Service.filings)).order_by(Service.name)
    return list(session.scalars(query))


def save_triage(
    session: Session, *, service_id: int, answers: TriageAnswers, result: TriageResult, actor: Actor
) -> TriageRecord:
    get_service(session, service_id=service_id)
    entry = TriageRecord(
        service_id=service_id,
        created_by=actor.name,
        answers=answers.model_dump(mode="json"),
        result=result.to_json_dict(),
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor=actor,
        action="triage.save",
        entity="service",
        entity_id=service_id,
        detail={"triage_id": entry.id, "filings": [f.type for f in result.filings]},
    )
    return entry


def latest_triage(session: Session, *, service_id: int) -> TriageRecord | None:
    query = (
        select(TriageRecord)
        .where(TriageRecord.service_id == service_id)
        .order_by(TriageRecord.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def triage_answers(entry: TriageRecord) -> TriageAnswers:
    data: dict[str, Any] = dict(entry.answers)
    return TriageAnswers(**data)
