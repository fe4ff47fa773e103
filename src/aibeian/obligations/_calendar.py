"""The obligations calendar: per filing, the recurring duties with their next due date and whether one was
missed, the standing duties, and the event-driven ones. Which duties apply comes from the standards; how each
is scheduled and worded comes from ``data/duties.yaml``."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from aibeian.errors import InputError, Problem
from aibeian.files import load_structured, packaged_yaml
from aibeian.standards import load_standards

DutyState = Literal["ok", "due_soon", "overdue", "standing", "event", "unknown"]
FILING_TYPES = ("algorithm", "genai", "registration")


@functools.cache
def duties_data() -> dict[str, Any]:
    text = resources.files("aibeian.obligations").joinpath("data", "duties.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = packaged_yaml(text)
    return data


@dataclass(frozen=True)
class FiledService:
    """One filing as the company holds it: what it is, its number, when it was approved."""

    id: str
    type: str
    approved: dt.date
    number: str = ""
    service: str = ""


@dataclass
class ObligationsConfig:
    filings: list[FiledService]
    keyword_releases: list[dt.date] = field(default_factory=list)
    last_bank_update: dt.date | None = None
    path: str = "<config>"
    keyword_store: str | None = None


@dataclass
class Duty:
    filing: str
    id: str
    zh: str
    en: str
    cadence: str
    state: DutyState
    due: dt.date | None
    status: str
    source: str
    note: str = ""
    missed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filing": self.filing,
            "id": self.id,
            "zh": self.zh,
            "en": self.en,
            "cadence": self.cadence,
            "state": self.state,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "source": self.source,
            "note": self.note,
            "missed": self.missed,
        }


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _state(due: dt.date, today: dt.date) -> DutyState:
    if due < today:
        return "overdue"
    return "due_soon" if (due - today).days <= int(duties_data()["due_soon_days"]) else "ok"


def _missed_weeks(releases: list[dt.date], today: dt.date, max_gap: int) -> list[str]:
    """Every gap longer than ``max_gap`` days between releases (and since the last one)."""
    ordered = sorted(set(releases))
    gaps = [(a, b) for a, b in itertools.pairwise(ordered) if (b - a).days > max_gap]
    if ordered and (today - ordered[-1]).days > max_gap:
        gaps.append((ordered[-1], today))
    return [f"{a.isoformat()} → {b.isoformat()} ({(b - a).days} days)" for a, b in gaps]


def _schedule(
    rule: str, f: FiledService, config: ObligationsConfig, today: dt.date, max_gap: int
) -> tuple[DutyState, dt.date | None, list[str], str]:
    if rule == "yearly_from_approval":
        years = 1
        while _add_months(f.approved, 12 * years) < today:
            years += 1
        due = _add_months(f.approved, 12 * years)
        return _state(due, today), due, [], ""
    if rule == "every_7_days_from_last_release":
        if not config.keyword_releases:
            return "unknown", None, [], "no keyword release history given (keyword_store / keyword_releases)"
        last = max(config.keyword_releases)
        due = last + dt.timedelta(days=max_gap)
        return (
            _state(due, today),
            due,
            _missed_weeks(config.keyword_releases, today, max_gap),
            f"last release {last}",
        )
    if rule == "every_month_from_last_bank_update":
        if config.last_bank_update is None:
            return "unknown", None, [], "no last_bank_update given"
        due = _add_months(config.last_bank_update, 1)
        return _state(due, today), due, [], f"last update {config.last_bank_update}"
    return ("standing" if rule == "standing" else "event"), None, [], ""


def obligations_for(config: ObligationsConfig, *, today: dt.date | None = None) -> list[Duty]:
    """Every duty of every filing, recurring ones with their next due date."""
    today = today or dt.date.today()
    s = load_standards()
    words = duties_data()["duties"]
    max_gap = int(s.threshold("keyword_library_update_max_interval_days").value)
    duties = []
    for f in config.filings:
        for ob in s.filing_rules.obligations:
            if f.type not in ob.applies or ob.id not in words:
                continue
            w = words[ob.id]
            state, due, missed, note = _schedule(w["schedule"], f, config, today, max_gap)
            if missed and state == "ok":
                note = f"{note}; {len(missed)} missed week(s)".strip("; ")
            duties.append(
                Duty(
                    filing=f.id,
                    id=ob.id,
                    zh=w["zh"],
                    en=w["en"],
                    cadence=ob.cadence,
                    state=state,
                    due=due,
                    status=ob.status,
                    source=ob.source,
                    note=note or (ob.note or ""),
                    missed=missed,
                )
            )
    return duties


def _date(value: Any, doc: Any, key: tuple[str | int, ...], problems: list[Problem]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(
            Problem(
                f"{value!r} is not a date",
                path=doc.path,
                line=doc.line_of(key),
                field=".".join(map(str, key)),
                expected="YYYY-MM-DD",
            )
        )
        return None


def load_config(path: str | os.PathLike[str]) -> ObligationsConfig:
    """Read the filings the company holds (``obligations.yaml``); every problem located by line."""
    doc = load_structured(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("filings"), list) or not data["filings"]:
        raise InputError(
            "expected a mapping with a non-empty list under filings:",
            path=doc.path,
            line=1,
            expected="filings: [{id, type, approved, number}]",
        )
    problems: list[Problem] = []
    filings = []
    for i, raw in enumerate(data["filings"]):
        key: tuple[str | int, ...] = ("filings", i)
        if not isinstance(raw, dict):
            problems.append(Problem("each filing is a mapping", path=doc.path, line=doc.line_of(key)))
            continue
        ftype = raw.get("type")
        if ftype not in FILING_TYPES:
            problems.append(
                Problem(
                    f"{ftype!r} is not a filing type",
                    path=doc.path,
                    line=doc.line_of((*key, "type")),
                    field=f"filings[{i}].type",
                    expected=" | ".join(FILING_TYPES),
                )
            )
        approved = _date(raw.get("approved"), doc, (*key, "approved"), problems)
        if ftype in FILING_TYPES and approved:
            filings.append(
                FiledService(
                    id=str(raw.get("id") or f"{ftype}-{i + 1}"),
                    type=ftype,
                    approved=approved,
                    number=str(raw.get("number") or ""),
                    service=str(raw.get("service") or ""),
                )
            )
    releases = [
        d
        for j, v in enumerate(data.get("keyword_releases") or [])
        if (d := _date(v, doc, ("keyword_releases", j), problems))
    ]
    bank = data.get("last_bank_update")
    last_bank = _date(bank, doc, ("last_bank_update",), problems) if bank is not None else None
    store = data.get("keyword_store")
    store_path: str | None = None
    if store is not None:
        if not isinstance(store, str) or not store.strip():
            problems.append(
                Problem(
                    f"{store!r} is not a folder path",
                    path=doc.path,
                    line=doc.line_of(("keyword_store",)),
                    field="keyword_store",
                    expected="the --store folder of `aibeian keywords release`",
                )
            )
        else:
            store_path = str(Path(doc.path).parent / Path(store).expanduser())
    if problems:
        raise InputError(problems=problems)
    config = ObligationsConfig(
        filings=filings, keyword_releases=releases, last_bank_update=last_bank, path=doc.path
    )
    if store_path is not None:
        with_keyword_store(config, store_path)
    return config


def with_keyword_store(config: ObligationsConfig, store: str | os.PathLike[str]) -> ObligationsConfig:
    """Add the dates of the real releases in a keyword release store (``aibeian keywords release --store``).

    Read from the store rather than typed into the file, so the weekly duty reflects what was actually
    released: a missed week shows up even when nobody remembered to write it down. A missing or empty store is
    an error, because "no release history" would otherwise silently read as "unknown" instead of "overdue"."""
    from aibeian.keywords import ReleaseStore

    root = Path(store)
    if not root.is_dir():
        raise InputError(
            "the keyword release store does not exist",
            path=str(root),
            field="keyword_store",
            expected="the --store folder of `aibeian keywords release`",
        )
    found = ReleaseStore(root).releases()
    if not found:
        raise InputError(
            "the keyword release store holds no release",
            path=str(root),
            field="keyword_store",
            expected="at least one release made with `aibeian keywords release LIBRARY --store FOLDER`",
        )
    config.keyword_releases = sorted({*config.keyword_releases, *(r.date for r in found)})
    config.keyword_store = str(root)
    return config
