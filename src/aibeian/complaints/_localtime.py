"""Moments as people in China read them: Asia/Shanghai, minutes, no offset noise."""

from __future__ import annotations

import datetime as dt

from aibeian.obligations._workdays import SHANGHAI

__all__ = ["local_date", "local_iso"]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_iso(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return _aware(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def local_date(moment: dt.datetime) -> dt.date:
    return _aware(moment).astimezone(SHANGHAI).date()
