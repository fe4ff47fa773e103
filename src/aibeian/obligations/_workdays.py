"""Working-day (工作日) arithmetic in Asia/Shanghai with official holidays and make-up working days (调休).

The holiday data comes from the chinese-calendar package, which knows each year only once the State Council
has published it; a provider's holiday file (``AIBEIAN_HOLIDAYS``, ``use_holiday_file``) can give a year the
package does not know yet. A date past both is a clear error naming the last covered year — never a guess from
weekdays, because a guessed deadline across Spring Festival can be a week wrong.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import chinese_calendar

from aibeian.errors import AibeianError
from aibeian.obligations._holiday_file import HolidayYear, load_holiday_file

SHANGHAI = ZoneInfo("Asia/Shanghai")


class CalendarRangeError(AibeianError):
    """The holiday calendar has no data for a year the computation needs."""


_EXTRA: dict[int, HolidayYear] = {}


def use_holiday_file(path: str | os.PathLike[str] | None) -> list[int]:
    """Add the years of a provider's holiday file to every working-day computation of this process (None:
    none). The package's own data wins for a year it knows, so the file can stay after an upgrade. Returns the
    years the file adds; raises InputError (file, line, field) for a mistake in it."""
    _EXTRA.clear()
    if path is None:
        return []
    _EXTRA.update(load_holiday_file(path))
    return sorted(y for y in _EXTRA if not package_knows(y))


def package_knows(year: int) -> bool:
    """Whether the chinese-calendar package has the official holidays of ``year``."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        extra = _EXTRA.get(day.year)
        if extra is not None:
            return extra.is_working_day(day)
        raise CalendarRangeError(
            f"the official holiday calendar has no data for {day.year} yet ({exc}); working-day deadlines in "
            f"{day.year} cannot be computed — upgrade the chinese-calendar package once the State Council "
            "publishes the year's holidays, or enter them in a holiday file (AIBEIAN_HOLIDAYS, see "
            "docs/obligations.md)"
        ) from exc


def _local_date(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is None:
            raise ValueError(
                "a naive datetime is ambiguous; give a timezone (Asia/Shanghai is assumed nowhere)"
            )
        return moment.astimezone(SHANGHAI).date()
    return moment


def add_working_days(
    start: dt.datetime | dt.date, days: int, *, pauses: Iterable[tuple[dt.date, dt.date]] = ()
) -> dt.date:
    """The date by which something received on ``start`` is due, ``days`` working days later.

    The day of receipt does not count (a complaint received on Monday with a 1-working-day limit is due on
    Tuesday). Days inside a pause (inclusive; e.g. waiting for the reporter) do not count either.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    paused = list(pauses)
    day = _local_date(start)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if any(a <= day <= b for a, b in paused):
            continue
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count
