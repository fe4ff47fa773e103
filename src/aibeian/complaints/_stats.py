"""Monthly statistics for the annual update (年度更新): how many complaints came in, of which kind, how many
were answered within the published time limit, and how long answers took in working days."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aibeian.complaints._clock import paused_days
from aibeian.complaints._localtime import local_date
from aibeian.complaints._record import ComplaintRecord
from aibeian.obligations import CalendarRangeError, is_working_day

__all__ = ["MonthStats", "monthly_stats"]


@dataclass
class MonthStats:
    month: str  # YYYY-MM, by the date of receipt in Asia/Shanghai
    received: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    answered_on_time: int = 0
    answered_late: int = 0
    open: int = 0
    overdue: int = 0
    median_working_days_to_answer: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "received": self.received,
            "by_category": self.by_category,
            "answered": self.answered,
            "answered_on_time": self.answered_on_time,
            "answered_late": self.answered_late,
            "open": self.open,
            "overdue": self.overdue,
            "median_working_days_to_answer": self.median_working_days_to_answer,
        }


def _working_days_taken(r: ComplaintRecord) -> int | None:
    assert r.answered_at is not None
    start, end = local_date(r.received_at), local_date(r.answered_at)
    paused = paused_days([p for p in r.pauses if p.end is not None])
    n, day = 0, start
    try:
        while day < end:
            day += dt.timedelta(days=1)
            n += not any(a <= day <= b for a, b in paused) and is_working_day(day)
    except CalendarRangeError:
        return None
    return n


def monthly_stats(records: Sequence[ComplaintRecord], *, year: int, now: dt.datetime) -> list[MonthStats]:
    """Twelve months of ``year`` (all of them, empty ones too, so a table has no holes)."""
    months = {m: MonthStats(month=f"{year}-{m:02d}") for m in range(1, 13)}
    taken: dict[int, list[int]] = {m: [] for m in range(1, 13)}
    categories: dict[int, Counter[str]] = {m: Counter() for m in range(1, 13)}
    for r in records:
        day = local_date(r.received_at)
        if day.year != year:
            continue
        s = months[day.month]
        s.received += 1
        categories[day.month][r.category] += 1
        clock = r.clock(now)
        if r.answered_at is not None:
            s.answered += 1
            if clock.state == "answered_late":
                s.answered_late += 1
            elif clock.state == "answered":
                s.answered_on_time += 1
            if (n := _working_days_taken(r)) is not None:
                taken[day.month].append(n)
        else:
            s.open += 1
            s.overdue += clock.overdue
    for m, s in months.items():
        s.by_category = dict(sorted(categories[m].items()))
        if taken[m]:
            s.median_working_days_to_answer = float(statistics.median(taken[m]))
    return list(months.values())
