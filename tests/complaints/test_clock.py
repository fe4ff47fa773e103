"""The complaint clock as property tests across Spring Festival and National Day (with their 调休 make-up
working days) and pauses while waiting on the reporter. The oracle counts days with chinese_calendar
directly, so the clock is checked against the calendar data, not against itself."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from aibeian.complaints import Pause, complaint_clock, paused_days

SHANGHAI = dt.timezone(dt.timedelta(hours=8))

# Around the holidays whose make-up days move deadlines: Spring Festival 2024/2025/2026, National Day
# 2023/2024/2025/2026 (all inside the calendar data, with room for a 20-working-day deadline).
WINDOWS = [
    (dt.date(2024, 1, 25), dt.date(2024, 2, 20)),
    (dt.date(2025, 1, 15), dt.date(2025, 2, 8)),
    (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    (dt.date(2023, 9, 20), dt.date(2023, 10, 10)),
    (dt.date(2024, 9, 20), dt.date(2024, 10, 14)),
    (dt.date(2025, 9, 20), dt.date(2025, 10, 12)),
    (dt.date(2026, 9, 20), dt.date(2026, 10, 12)),
]
HOLIDAY_DAYS = st.sampled_from(WINDOWS).flatmap(lambda w: st.dates(min_value=w[0], max_value=w[1]))
TIMES = st.times(min_value=dt.time(0, 0), max_value=dt.time(23, 59))


def _at(day: dt.date, t: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, t, tzinfo=SHANGHAI)


def _oracle_due(start: dt.date, days: int, paused: list[tuple[dt.date, dt.date]]) -> dt.date:
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day) and not any(a <= day <= b for a, b in paused):
            left -= 1
    return day


@settings(max_examples=150, deadline=None)
@given(HOLIDAY_DAYS, TIMES, st.integers(min_value=1, max_value=20))
def test_due_date_matches_the_official_calendar(day: dt.date, t: dt.time, days: int) -> None:
    received = _at(day, t)
    clock = complaint_clock(
        received_at=received, working_days=days, pauses=(), answered_at=None, now=received
    )
    assert clock.due == _oracle_due(day, days, [])
    assert chinese_calendar.is_workday(clock.due)  # never due on a holiday; may be due on a make-up Saturday
    assert clock.state in ("running", "due_today")
    assert clock.days_left == days  # nothing used yet on the day of receipt


@settings(max_examples=150, deadline=None)
@given(
    HOLIDAY_DAYS,
    st.integers(min_value=1, max_value=15),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=12),
    TIMES,
    TIMES,
)
def test_a_pause_stops_the_clock_exactly_for_the_paused_days(
    day: dt.date, days: int, offset: int, length: int, t1: dt.time, t2: dt.time
) -> None:
    received = _at(day, dt.time(9))
    start = _at(day + dt.timedelta(days=offset), t1)
    end = _at(day + dt.timedelta(days=offset + length), t2)
    if end <= start:
        return
    pause = Pause(start, end)
    excluded = paused_days([pause])
    # the rule: a day is paused when the clock was paused at its end (so the resume day counts again)
    expected = [(start.date(), end.date() - dt.timedelta(days=1))] if end.date() > start.date() else []
    assert excluded == expected
    plain = complaint_clock(
        received_at=received, working_days=days, pauses=(), answered_at=None, now=received
    )
    paused = complaint_clock(
        received_at=received, working_days=days, pauses=(pause,), answered_at=None, now=received
    )
    assert paused.due == _oracle_due(day, days, excluded)
    assert plain.due is not None and paused.due is not None and paused.due >= plain.due
    paused_working = sum(
        chinese_calendar.is_workday(a + dt.timedelta(days=i))
        for a, b in excluded
        for i in range((b - a).days + 1)
        if day < a + dt.timedelta(days=i) <= plain.due
    )
    if paused_working == 0:
        assert paused.due == plain.due  # a pause over holidays or weekends only costs nothing


@settings(max_examples=100, deadline=None)
@given(HOLIDAY_DAYS, st.integers(min_value=1, max_value=15), st.integers(min_value=0, max_value=10))
def test_while_waiting_the_clock_is_paused_and_keeps_what_was_left(
    day: dt.date, days: int, waited: int
) -> None:
    received = _at(day, dt.time(9))
    pause_start = _at(day + dt.timedelta(days=waited), dt.time(15))
    now = pause_start + dt.timedelta(days=3)
    clock = complaint_clock(
        received_at=received, working_days=days, pauses=(Pause(pause_start),), answered_at=None, now=now
    )
    assert clock.state == "paused" and clock.due is None
    used = sum(
        chinese_calendar.is_workday(day + dt.timedelta(days=i))
        for i in range(1, (pause_start.date() - day).days + 1)
    )
    # the pause day itself is paused (the clock was stopped at its end)
    used -= chinese_calendar.is_workday(pause_start.date()) if pause_start.date() > day else 0
    assert clock.days_left == max(days - used, 0)


@settings(max_examples=100, deadline=None)
@given(HOLIDAY_DAYS, st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=40))
def test_overdue_exactly_after_the_due_day(day: dt.date, days: int, later: int) -> None:
    received = _at(day, dt.time(9))
    due = _oracle_due(day, days, [])
    now = _at(day + dt.timedelta(days=later), dt.time(18))
    clock = complaint_clock(received_at=received, working_days=days, pauses=(), answered_at=None, now=now)
    assert clock.overdue == (now.date() > due)
    answered = complaint_clock(received_at=received, working_days=days, pauses=(), answered_at=now, now=now)
    assert answered.state == ("answered_late" if now.date() > due else "answered")


def test_spring_festival_2026_example_with_a_pause() -> None:
    # received Friday 02-13; 5 working days: 02-14 (make-up Saturday), 02-24, 02-25, 02-26, 02-27
    received = _at(dt.date(2026, 2, 13), dt.time(16))
    clock = complaint_clock(received_at=received, working_days=5, pauses=(), answered_at=None, now=received)
    assert clock.due == dt.date(2026, 2, 27)
    # waiting on the reporter from 02-24 09:00 until 02-26 10:00 pauses 02-24 and 02-25, so the five working
    # days are 02-14, 02-26, 02-27, 02-28 (make-up Saturday) and 03-02
    pause = Pause(_at(dt.date(2026, 2, 24), dt.time(9)), _at(dt.date(2026, 2, 26), dt.time(10)))
    clock = complaint_clock(
        received_at=received, working_days=5, pauses=(pause,), answered_at=None, now=received
    )
    assert clock.due == dt.date(2026, 3, 2)


def test_a_year_without_calendar_data_is_unknown_not_a_guess() -> None:
    received = _at(dt.date(2026, 12, 28), dt.time(9))
    clock = complaint_clock(received_at=received, working_days=15, pauses=(), answered_at=None, now=received)
    assert clock.state == "unknown" and clock.due is None and "2027" in clock.note


def test_utc_moments_are_counted_in_shanghai() -> None:
    # 2025-09-30 17:00 UTC is already 10-01 (National Day) in Shanghai: the next working day is 10-09
    received = dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)
    clock = complaint_clock(received_at=received, working_days=1, pauses=(), answered_at=None, now=received)
    assert clock.due == dt.date(2025, 10, 9)
