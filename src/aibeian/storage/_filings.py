"""Filings and their life cycle: preparing → submitted → feedback (round n) → submitted … → approved.

The rules live here, not in the routes: which transitions exist, that an approval needs a filing number,
and that the number is one ``aibeian.obligations.parse_filing_number`` accepts for this kind of filing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from aibeian.errors import InputError
from aibeian.obligations import parse_filing_number
from aibeian.storage._audit import Actor, record
from aibeian.storage._schema import FILING_TYPES, Filing, utcnow
from aibeian.storage._services import get_service

__all__ = [
    "TRANSITIONS",
    "check_number",
    "create_filing",
    "get_filing",
    "list_filings",
    "set_deadline",
    "transition",
]

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "preparing": ("submitted",),
    "submitted": ("feedback", "approved"),
    "feedback": ("submitted",),
    "approved": (),
}


def create_filing(
    session: Session,
    *,
    service_id: int,
    type: str,
    actor: Actor,
    deadline: date | None = None,
    deadline_note: str = "",
) -> Filing:
    get_service(session, service_id=service_id)
    if type not in FILING_TYPES:
        raise InputError(
            f"unknown filing type {type!r}", field="type", expected="one of " + ", ".join(FILING_TYPES)
        )
    filing = Filing(service_id=service_id, type=type, deadline=deadline, deadline_note=deadline_note.strip())
    session.add(filing)
    session.flush()
    record(
        session,
        actor=actor,
        action="filing.create",
        entity="filing",
        entity_id=filing.id,
        detail={"service_id": service_id, "type": type},
    )
    return filing


def check_number(number: str, filing_type: str) -> str:
    """The number, normalised as entered, if it parses as a valid number of this filing type."""
    parsed = parse_filing_number(number)
    if not parsed.valid:
        reason = "; ".join(parsed.problems) or "not a recognised filing number"
        raise InputError(f"invalid filing number: {reason}", field="filing_number")
    if parsed.kind != filing_type:
        raise InputError(
            f"this is a {parsed.kind} number, but the filing is a {filing_type} filing",
            field="filing_number",
            expected=f"a {filing_type} number",
        )
    return number.strip()


def transition(
    session: Session,
    *,
    filing_id: int,
    to: str,
    actor: Actor,
    on: date | None = None,
    filing_number: str | None = None,
) -> Filing:
    filing = get_filing(session, filing_id=filing_id)
    allowed = TRANSITIONS.get(filing.status, ())
    if to not in allowed:
        raise InputError(
            f"a filing that is {filing.status} cannot become {to}",
            field="status",
            expected="one of " + ", ".join(allowed) if allowed else "no further status (approved is final)",
        )
    day = on or date.today()
    before = {"status": filing.status, "feedback_round": filing.feedback_round}
    if to == "approved":
        if not filing_number or not filing_number.strip():
            raise InputError("an approval needs the filing number", field="filing_number")
        filing.filing_number = check_number(filing_number, filing.type)
        filing.approved_on = day
    elif to == "feedback":
        filing.feedback_round += 1
    elif to == "submitted" and filing.submitted_on is None:
        filing.submitted_on = day
    filing.status = to
    filing.updated_at = utcnow()
    record(
        session,
        actor=actor,
        action="filing.status",
        entity="filing",
        entity_id=filing.id,
        detail={
            "before": before,
            "after": {"status": to, "feedback_round": filing.feedback_round},
            "filing_number": filing.filing_number,
        },
    )
    return filing


def set_deadline(
    session: Session, *, filing_id: int, deadline: date | None, note: str, actor: Actor
) -> Filing:
    filing = get_filing(session, filing_id=filing_id)
    before = {
        "deadline": filing.deadline.isoformat() if filing.deadline else None,
        "note": filing.deadline_note,
    }
    filing.deadline = deadline
    filing.deadline_note = note.strip()[:200]
    filing.updated_at = utcnow()
    record(
        session,
        actor=actor,
        action="filing.deadline",
        entity="filing",
        entity_id=filing.id,
        detail={
            "before": before,
            "after": {"deadline": deadline.isoformat() if deadline else None, "note": filing.deadline_note},
        },
    )
    return filing


def get_filing(session: Session, *, filing_id: int) -> Filing:
    filing = session.get(Filing, filing_id, options=[selectinload(Filing.service)])
    if filing is None:
        raise LookupError(f"filing {filing_id}")
    return filing


def list_filings(session: Session, *, status: str | None = None) -> list[Filing]:
    query = select(Filing).options(selectinload(Filing.service)).order_by(Filing.id)
    if status:
        query = query.where(Filing.status == status)
    return list(session.scalars(query))
