"""A provider's own holiday file: the official holidays and make-up working days (调休) of a year the packaged
calendar (the chinese-calendar package) does not know yet.

Why: the State Council publishes next year's holidays in November or December, and the package follows some
weeks later. Until then every working-day deadline that runs into the new year — a complaint received in late
December, an amendment window — is *unknown*. With this file the compliance team types in the published notice
once and the deadlines are computed again; the package's own data always wins for a year it knows, so the file
can stay in place after an upgrade.

::

    years:
      2027:
        source: 国务院办公厅关于2027年部分节假日安排的通知
        status: confirmed          # confirmed | reported | unverified (the default)
        holidays:
          - 2027-01-01
          - {from: 2027-02-06, to: 2027-02-12}
        workdays:                  # weekend days that are working days (调休)
          - 2027-02-14
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured

__all__ = ["STATUSES", "HolidayYear", "load_holiday_file"]

STATUSES = ("confirmed", "reported", "unverified")


@dataclass(frozen=True)
class HolidayYear:
    """One year of a holiday file: which days are off, which weekend days are worked, and where that came from."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str
    status: str
    path: str

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


def load_holiday_file(path: str | os.PathLike[str]) -> dict[int, HolidayYear]:
    """Read and check a holiday file. Every mistake is reported at once, each with its line and field."""
    doc = load_structured(path)
    problems: list[Problem] = []
    years = doc.data.get("years") if isinstance(doc.data, dict) else None
    if not isinstance(years, dict) or not years:
        raise InputError(
            "a holiday file needs a `years:` mapping with at least one year",
            path=doc.path,
            line=doc.line_of(("years",)) or 1,
            field="years",
            expected="years: {2027: {holidays: [...], workdays: [...]}}",
        )
    found: dict[int, HolidayYear] = {}
    for key, entry in years.items():
        year = _year(key)
        where = ("years", str(key))
        if year is None:
            problems.append(_problem(doc, where, f"{key!r} is not a year", "a year such as 2027"))
            continue
        if not isinstance(entry, dict):
            problems.append(_problem(doc, where, "a year needs holidays and workdays", "a mapping"))
            continue
        unknown = sorted(set(entry) - {"source", "status", "holidays", "workdays"})
        for name in unknown:
            problems.append(
                _problem(doc, (*where, name), f"unknown field {name!r}", "source, status, holidays, workdays")
            )
        status = str(entry.get("status", "unverified"))
        if status not in STATUSES:
            problems.append(
                _problem(doc, (*where, "status"), f"unknown status {status!r}", " | ".join(STATUSES))
            )
        holidays = _days(doc, entry.get("holidays", []), year, (*where, "holidays"), problems)
        workdays = _days(doc, entry.get("workdays", []), year, (*where, "workdays"), problems)
        for day in sorted(workdays):
            if day.weekday() < 5:
                problems.append(
                    _problem(
                        doc,
                        (*where, "workdays"),
                        f"{day} is a {day.strftime('%A')}: a make-up working day (调休) is a Saturday or Sunday",
                        "only weekend days under workdays",
                    )
                )
        for day in sorted(holidays & workdays):
            problems.append(
                _problem(
                    doc, (*where, "workdays"), f"{day} is both a holiday and a working day", "one of them"
                )
            )
        found[year] = HolidayYear(
            year, frozenset(holidays), frozenset(workdays), str(entry.get("source", "")), status, doc.path
        )
    if problems:
        raise InputError(problems=sorted(problems, key=lambda p: p.line or 0))
    return found


def _year(key: Any) -> int | None:
    try:
        year = int(key)
    except (TypeError, ValueError):
        return None
    return year if 1900 <= year <= 2200 else None


def _days(
    doc: LocatedDocument, value: Any, year: int, where: tuple[Any, ...], problems: list[Problem]
) -> set[dt.date]:
    """The dates of a list of dates and {from, to} ranges (inclusive), all within ``year``."""
    if not isinstance(value, list):
        problems.append(
            _problem(doc, where, "not a list", "a list of dates (YYYY-MM-DD) and {from, to} ranges")
        )
        return set()
    days: set[dt.date] = set()
    for i, item in enumerate(value):
        at = (*where, i)
        if isinstance(item, dict) and set(item) == {"from", "to"}:
            first, last = _date(doc, item["from"], at, problems), _date(doc, item["to"], at, problems)
            if first is None or last is None:
                continue
            if last < first:
                problems.append(
                    _problem(doc, at, f"the range ends ({last}) before it starts ({first})", "from ≤ to")
                )
                continue
            span = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        else:
            one = _date(doc, item, at, problems)
            if one is None:
                continue
            span = [one]
        outside = [d for d in span if d.year != year]
        if outside:
            problems.append(
                _problem(doc, at, f"{outside[0]} is not in {year}", f"dates of {year} under {year}")
            )
            continue
        days.update(span)
    return days


def _date(doc: LocatedDocument, value: Any, at: tuple[Any, ...], problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(_problem(doc, at, f"{value!r} is not a date", "YYYY-MM-DD, or {from: …, to: …}"))
        return None


def _problem(doc: LocatedDocument, key: tuple[Any, ...], message: str, expected: str) -> Problem:
    return Problem(
        message, path=doc.path, line=doc.line_of(key), field=".".join(str(k) for k in key), expected=expected
    )
