"""An iCalendar feed of the duties, one per filing, for calendar clients to subscribe to."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from aibeian.obligations._calendar import Duty

RRULES = {"yearly": {"FREQ": "YEARLY"}, "weekly": {"FREQ": "WEEKLY"}, "monthly": {"FREQ": "MONTHLY"}}


def duties_to_ics(duties: list[Duty], *, name: str = "aibeian obligations") -> bytes:
    """Dated duties become all-day events (recurring by cadence); standing and event duties are left out,
    since a calendar cannot schedule them. UIDs are stable so a re-exported feed updates events in place."""
    cal = Calendar()
    cal.add("prodid", "-//aibeian//obligations//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for d in duties:
        if d.due is None:
            continue
        event = Event()
        event.add("uid", f"{d.filing}.{d.id}@aibeian")
        event.add("summary", f"{d.zh}（{d.filing}）")
        event.add("dtstart", d.due)
        event.add("dtend", d.due + dt.timedelta(days=1))
        event.add("dtstamp", dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        event.add("description", f"{d.en}. Status: {d.status}. Source: {d.source}. {d.note}".strip())
        if d.cadence in RRULES:
            event.add("rrule", RRULES[d.cadence])
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data
