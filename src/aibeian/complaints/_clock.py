"""The complaint clock: the reply deadline in working days, paused while waiting on the reporter.

Pause rule (one rule, documented, property-tested): a calendar day is paused when the clock was paused at
the end of that day in Asia/Shanghai — so a pause from Tuesday to Thursday excludes Tuesday and Wednesday,
and a pause that starts and ends on the same day excludes nothing. The deadline is computed by
``obligations.add_working_days`` (official holidays and 调休 make-up days), never by counting weekdays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aibeian.obligations import CalendarRangeError, add_working_days, is_working_day
from aibeian.obligations._workdays import SHANGHAI

__all__ = ["Clock", "ClockState", "Pause", "complaint_clock", "paused_days"]

ClockState = Literal["running", "due_today", "overdue", "paused", "answered", "answered_late", "unknown"]


@dataclass(frozen=True)
class Pause:
    start: dt.datetime
    end: dt.datetime | None = None  # None: still waiting on the reporter


@dataclass(frozen=True)
class Clock:
    state: ClockState
    due: dt.date | None
    days_left: int | None
    note: str = ""

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def _local(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)  # the store keeps UTC; SQLite drops the zone
    return moment.astimezone(SHANGHAI).date()


def paused_days(pauses: Sequence[Pause], *, until: dt.date | None = None) -> list[tuple[dt.date, dt.date]]:
    """The inclusive date ranges that do not count; an open pause runs to ``until`` (or for ever)."""
    out = []
    for p in pauses:
        first = _local(p.start)
        last = (_local(p.end) - dt.timedelta(days=1)) if p.end else (until or dt.date.max)
        if last >= first:
            out.append((first, last))
    return out


def _count(after: dt.date, upto: dt.date, paused: list[tuple[dt.date, dt.date]]) -> int:
    """Working days after ``after`` up to and including ``upto`` that are not paused."""
    n, day = 0, after
    while day < upto:
        day += dt.timedelta(days=1)
        if not any(a <= day <= b for a, b in paused) and is_working_day(day):
            n += 1
    return n


def complaint_clock(
    *,
    received_at: dt.datetime,
    working_days: int,
    pauses: Sequence[Pause],
    answered_at: dt.datetime | None,
    now: dt.datetime,
) -> Clock:
    """Where a complaint stands against its deadline ``now``; never raises for a year the calendar lacks."""
    received = _local(received_at)
    today = _local(now)
    try:
        if answered_at is not None:
            closed = [p for p in pauses if p.end is not None]
            due = add_working_days(received, working_days, pauses=paused_days(closed))
            late = _local(answered_at) > due
            return Clock("answered_late" if late else "answered", due, None)
        open_pause = next((p for p in pauses if p.end is None), None)
        if open_pause is not None:
            used = _count(received, today, paused_days(pauses, until=today))
            return Clock("paused", None, max(working_days - used, 0), "waiting on the reporter")
        paused = paused_days(pauses)
        due = add_working_days(received, working_days, pauses=paused)
        if today > due:
            return Clock("overdue", due, -_count(due, today, paused))
        left = _count(today, due, paused)
        return Clock("due_today" if today == due else "running", due, left)
    except CalendarRangeError as exc:
        return Clock("unknown", None, None, str(exc))
