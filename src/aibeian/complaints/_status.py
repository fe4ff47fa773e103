"""Complaint statuses and the moves between them, with the words a reporter and the staff read.

``waiting_reporter`` is the one status that stops the clock; ``replied`` and ``closed`` end it. A replied or
closed complaint can be reopened (back to ``in_progress``) when the reporter answers back.
"""

from __future__ import annotations

from aibeian.errors import InputError

__all__ = ["CLOSED_STATUSES", "STATUSES", "STATUS_WORDS", "TRANSITIONS", "check_transition"]

STATUSES = ("received", "in_progress", "waiting_reporter", "replied", "closed")
CLOSED_STATUSES = ("replied", "closed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "waiting_reporter", "replied", "closed"),
    "in_progress": ("waiting_reporter", "replied", "closed"),
    "waiting_reporter": ("in_progress", "replied", "closed"),
    "replied": ("in_progress", "closed"),
    "closed": ("in_progress",),
}
STATUS_WORDS: dict[str, tuple[str, str]] = {
    "received": ("已受理", "received"),
    "in_progress": ("处理中", "in progress"),
    "waiting_reporter": ("待举报人补充（计时暂停）", "waiting on the reporter (clock paused)"),
    "replied": ("已答复", "replied"),
    "closed": ("已办结", "closed"),
}


def check_transition(current: str, to: str) -> None:
    if to not in STATUSES:
        raise InputError(f"unknown status {to!r}", field="status", expected=", ".join(STATUSES))
    if to not in TRANSITIONS[current]:
        raise InputError(
            f"a complaint that is {current} cannot become {to}",
            field="status",
            expected=", ".join(TRANSITIONS[current]) or "nothing (final)",
        )
