"""The audit log. Every repository function that changes something calls ``record`` in the same session,
so a change and its audit entry commit or roll back together — there is no unaudited write path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aibeian.storage._schema import AuditEntry

__all__ = ["SYSTEM", "Actor", "count_audit", "list_audit", "record"]


@dataclass(frozen=True)
class Actor:
    """Who is making a change: a signed-in user, or the CLI/system (``id=None``)."""

    name: str
    id: int | None = None


SYSTEM = Actor(name="system")


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail or {},
    )
    session.add(entry)
    return entry


def list_audit(
    session: Session, *, limit: int = 50, offset: int = 0, entity: str | None = None
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return list(session.scalars(query))


def count_audit(session: Session, *, entity: str | None = None) -> int:
    query = select(func.count()).select_from(AuditEntry)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    return int(session.scalar(query) or 0)
