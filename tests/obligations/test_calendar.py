"""Working-day deadlines across holidays, the obligations calendar, the ICS feed, material changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from aibeian.cli.main import cli
from aibeian.obligations import (
    CalendarRangeError,
    add_working_days,
    is_working_day,
    load_config,
    obligations_for,
    working_days_between,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "obligations" / "obligations.yaml"
COVERED = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 11, 30))


def test_national_day_2025_with_make_up_days() -> None:
    # 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are make-up working days; 10-01…10-08 are holidays.
    assert is_working_day(dt.date(2025, 9, 28)) and not is_working_day(dt.date(2025, 10, 1))
    start = dt.date(2025, 9, 26)
    assert [add_working_days(start, n) for n in (1, 2, 3, 4, 6)] == [
        dt.date(2025, 9, 28),
        dt.date(2025, 9, 29),
        dt.date(2025, 9, 30),
        dt.date(2025, 10, 9),
        dt.date(2025, 10, 11),
    ]


def test_spring_festival_2026() -> None:
    # Spring Festival 2026: 02-15 … 02-23 off; 02-14 (Saturday) and 02-28 (Saturday) are make-up working days.
    assert add_working_days(dt.date(2026, 2, 13), 1) == dt.date(2026, 2, 14)
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)


def test_pause_while_waiting_for_the_reporter() -> None:
    start = dt.date(2026, 3, 2)  # Monday
    assert add_working_days(start, 5) == dt.date(2026, 3, 9)
    assert add_working_days(start, 5, pauses=[(dt.date(2026, 3, 3), dt.date(2026, 3, 4))]) == dt.date(
        2026, 3, 11
    )


def test_timezone_aware_receipt_is_counted_in_shanghai() -> None:
    late_utc = dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC)  # already Tuesday 01:00 in Shanghai
    assert add_working_days(late_utc, 1) == dt.date(2026, 3, 4)
    assert add_working_days(dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), 1) == dt.date(
        2026, 3, 3
    )
    with pytest.raises(ValueError, match="naive"):
        add_working_days(dt.datetime(2026, 3, 2, 9, 0), 1)
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 3, 2), -1)


def test_past_the_calendar_data_is_an_error_not_a_guess() -> None:
    with pytest.raises(CalendarRangeError, match="no data for 2027"):
        add_working_days(dt.date(2026, 12, 30), 5)
    result = CliRunner().invoke(cli, ["obligations", "deadline", "2026-12-30", "5"])
    assert result.exit_code == 2 and "upgrade the chinese-calendar package" in result.output


@settings(max_examples=60, deadline=None)
@given(COVERED, st.integers(min_value=0, max_value=15))
def test_deadline_properties(start: dt.date, days: int) -> None:
    due = add_working_days(start, days)
    assert due >= start
    assert working_days_between(start, due) == days
    if days:
        assert is_working_day(due)
        assert add_working_days(start, days + 1) > due


@settings(max_examples=40, deadline=None)
@given(COVERED, st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=6))
def test_a_pause_never_makes_a_deadline_earlier(start: dt.date, days: int, pause_len: int) -> None:
    pause = (start + dt.timedelta(days=1), start + dt.timedelta(days=1 + pause_len))
    assert add_working_days(start, days, pauses=[pause]) >= add_working_days(start, days)


def test_calendar_from_the_example() -> None:
    duties = obligations_for(load_config(EXAMPLE), today=dt.date(2026, 11, 20))
    by = {(d.filing, d.id): d for d in duties}
    annual = by[("algo-assistant", "annual_update")]
    assert annual.due == dt.date(2026, 12, 20) and annual.state == "ok"
    keyword = by[("genai-assistant", "keyword_update")]
    assert keyword.due == dt.date(2026, 11, 23) and keyword.state == "due_soon"
    assert keyword.missed == ["2026-10-19 → 2026-11-02 (14 days)"]
    assert ("algo-assistant", "keyword_update") not in by  # weekly keyword updates apply to GenAI filings
    assert by[("genai-assistant", "number_display")].state == "standing"
    assert by[("genai-assistant", "incident_report")].state == "event"
    late = obligations_for(load_config(EXAMPLE), today=dt.date(2026, 12, 5))
    assert {(d.id, d.state) for d in late if d.filing == "genai-assistant"} >= {
        ("keyword_update", "overdue"),
        ("test_bank_update", "overdue"),
    }


def test_cli_list_json_and_exit_code(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["obligations", "list", str(EXAMPLE), "--today", "2026-11-20", "--format", "json"]
    )
    assert result.exit_code == 1  # a missed week
    duties = json.loads(result.output)["duties"]
    assert {"filing", "id", "state", "due", "status", "source", "missed"} <= set(duties[0])
    clean = tmp_path / "ok.yaml"
    clean.write_text("filings:\n- {id: a, type: algorithm, approved: 2025-01-10}\n", encoding="utf-8")
    assert (
        CliRunner().invoke(cli, ["obligations", "list", str(clean), "--today", "2026-06-01"]).exit_code == 0
    )


def test_ics_feed_parses_back(tmp_path: Path) -> None:
    out = tmp_path / "genai.ics"
    result = CliRunner().invoke(
        cli,
        [
            "obligations",
            "ics",
            str(EXAMPLE),
            "--filing",
            "genai-assistant",
            "--today",
            "2026-11-20",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {
        "genai-assistant.annual_update@aibeian",
        "genai-assistant.keyword_update@aibeian",
        "genai-assistant.test_bank_update@aibeian",
    }
    weekly = events["genai-assistant.keyword_update@aibeian"]
    assert weekly["rrule"]["FREQ"] == ["WEEKLY"] and weekly.decoded("dtstart") == dt.date(2026, 11, 23)
    assert "拦截关键词库每周更新" in str(weekly["summary"])
    bad = CliRunner().invoke(cli, ["obligations", "ics", str(EXAMPLE), "--filing", "nope", "--out", str(out)])
    assert bad.exit_code == 2 and "genai-assistant" in bad.output


def test_bad_obligations_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "filings:\n- {id: a, type: genia, approved: 2025-13-01}\nkeyword_releases: [yesterday]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["obligations", "list", str(bad)])
    assert result.exit_code == 2 and "3 problems found" in result.output
    assert (
        "'genia' is not a filing type" in result.output
        and "line 2" in result.output
        and "line 3" in result.output
    )
    empty = tmp_path / "empty.yaml"
    empty.write_text("filings: []\n", encoding="utf-8")
    assert "non-empty list" in CliRunner().invoke(cli, ["obligations", "list", str(empty)]).output
    assert (
        "is not a date"
        in CliRunner().invoke(cli, ["obligations", "list", str(EXAMPLE), "--today", "soon"]).output
    )


def test_material_change_questionnaire() -> None:
    runner = CliRunner()
    refile = json.loads(
        runner.invoke(
            cli,
            [
                "obligations",
                "change",
                "--filing",
                "genai",
                "--change",
                "new_base_model",
                "--change",
                "service_scope",
                "--format",
                "json",
            ],
        ).output
    )
    assert refile["action"] == "refile" and [c["action"] for c in refile["changes"]] == ["refile", "amend"]
    assert refile["status"] == "reported"
    amend = runner.invoke(
        cli, ["obligations", "change", "--filing", "algorithm", "--change", "new_major_function"]
    )
    assert "amend" in amend.output and "10 working days" in amend.output
    none = json.loads(
        runner.invoke(
            cli,
            [
                "obligations",
                "change",
                "--filing",
                "registration",
                "--change",
                "training_data_sources",
                "--format",
                "json",
            ],
        ).output
    )
    assert none["action"] == "none"
    typo = runner.invoke(cli, ["obligations", "change", "--filing", "genai", "--change", "new_base_modle"])
    assert typo.exit_code == 2 and 'did you mean "new_base_model"' in typo.output
