"""What the dashboard shows, computed from the store and the triage library (never in a route):
filings by status, the next deadlines, and the checks that fail in each service's latest triage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aibeian.obligations._workdays import SHANGHAI
from aibeian.storage._complaint_reads import overdue_complaints
from aibeian.storage._filings import list_filings
from aibeian.storage._schema import FILING_STATUSES, Filing, TriageRecord
from aibeian.storage._services import list_services, triage_answers
from aibeian.triage import assess

__all__ = ["Dashboard", "Deadline", "FailingCheck", "OverdueComplaint", "dashboard"]


@dataclass(frozen=True)
class Deadline:
    due: date
    kind: Literal["filing", "annual_update"]
    filing_id: int
    service_name: str
    filing_type: str
    note: str
    overdue: bool


@dataclass(frozen=True)
class FailingCheck:
    service_id: int
    service_name: str
    kind: Literal["prerequisite", "readiness", "untriaged"]
    text: str


@dataclass(frozen=True)
class OverdueComplaint:
    """An open complaint past its reply deadline (working days, clock paused while waiting on the reporter)."""

    id: int
    tracking: str
    category: str
    due: date
    working_days_over: int
    assignee: str


@dataclass
class Dashboard:
    counts: dict[str, int]
    filings: list[Filing]
    deadlines: list[Deadline] = field(default_factory=list)
    failing: list[FailingCheck] = field(default_factory=list)
    services: int = 0
    overdue_complaints: list[OverdueComplaint] = field(default_factory=list)


def _annual(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _deadlines(filings: list[Filing], today: date) -> list[Deadline]:
    out = []
    for f in filings:
        if f.status == "approved" and f.approved_on:
            due, kind, note = _annual(f.approved_on), "annual_update", f.filing_number or ""
        elif f.status != "approved" and f.deadline:
            due, kind, note = f.deadline, "filing", f.deadline_note
        else:
            continue
        out.append(Deadline(due, kind, f.id, f.service.name, f.type, note, due < today))  # type: ignore[arg-type]
    return sorted(out, key=lambda d: d.due)


def dashboard(
    session: Session, *, today: date, lang: Literal["zh", "en"] = "zh", limit: int = 10
) -> Dashboard:
    filings = list_filings(session)
    counts = dict.fromkeys(FILING_STATUSES, 0)
    for status, n in session.execute(select(Filing.status, func.count()).group_by(Filing.status)):
        counts[status] = int(n)
    board = Dashboard(counts=counts, filings=filings, deadlines=_deadlines(filings, today)[:limit])
    noon = datetime.combine(today, time(12), tzinfo=SHANGHAI)  # day-granular: any moment of ``today`` will do
    board.overdue_complaints = [
        OverdueComplaint(
            c.id,
            c.tracking,
            c.category,
            clock.due,
            -(clock.days_left or 0),
            c.assignee.username if c.assignee else "",
        )
        for c, clock in overdue_complaints(session, now=noon)
        if clock.due is not None
    ]
    latest_ids = select(func.max(TriageRecord.id)).group_by(TriageRecord.service_id)
    latest = {
        r.service_id: r for r in session.scalars(select(TriageRecord).where(TriageRecord.id.in_(latest_ids)))
    }
    services = list_services(session)
    board.services = len(services)
    for service in services:
        entry = latest.get(service.id)
        if entry is None:
            board.failing.append(FailingCheck(service.id, service.name, "untriaged", ""))
            continue
        result = assess(triage_answers(entry), lang=lang)
        for p in result.prerequisites:
            if p.met is False:
                board.failing.append(
                    FailingCheck(service.id, service.name, "prerequisite", f"{p.name}: {p.action}")
                )
        for gap in result.readiness_gaps:
            board.failing.append(FailingCheck(service.id, service.name, "readiness", gap.text))
    return board
