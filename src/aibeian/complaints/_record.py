"""A complaint as the export, the statistics and the CLI read it: plain values, no database session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from aibeian.complaints._clock import Clock, Pause, complaint_clock

__all__ = ["ComplaintRecord"]


@dataclass(frozen=True)
class ComplaintRecord:
    id: int
    tracking: str
    category: str
    status: str
    received_at: dt.datetime
    working_days: int
    description: str = ""
    contact: str = ""
    assignee: str = ""
    reply: str = ""
    replied_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    pauses: tuple[Pause, ...] = field(default_factory=tuple)
    attachments: int = 0

    @property
    def answered_at(self) -> dt.datetime | None:
        """The reply ends the clock; a complaint closed without a reply (e.g. a duplicate) ends it too."""
        return self.replied_at or self.closed_at

    def clock(self, now: dt.datetime) -> Clock:
        return complaint_clock(
            received_at=self.received_at,
            working_days=self.working_days,
            pauses=self.pauses,
            answered_at=self.answered_at,
            now=now,
        )
