"""A provider's holiday file gives working days for a year the packaged calendar does not know yet.

The dates below are made up for the tests (the format, not a real notice): a far-future year no package will
know, so the tests keep testing the file and never the package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.doctor._checks import _check_holidays
from aibeian.errors import InputError
from aibeian.obligations import (
    CalendarRangeError,
    add_working_days,
    is_working_day,
    package_knows,
    use_holiday_file,
)

YEAR = 2199  # 2199-01-01 is a Tuesday; a year no calendar package knows

GOOD = """\
# made-up dates, for the format only
years:
  2199:
    source: test notice
    status: unverified
    holidays:
      - 2199-01-01
      - {from: 2199-01-28, to: 2199-02-01}
    workdays:
      - 2199-01-26
"""


@pytest.fixture(autouse=True)
def _no_file_after() -> Iterator[None]:
    yield
    use_holiday_file(None)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_file_an_unknown_year_is_a_clear_error() -> None:
    assert not package_knows(YEAR)
    with pytest.raises(CalendarRangeError, match="AIBEIAN_HOLIDAYS"):
        is_working_day(dt.date(YEAR, 3, 1))


def test_the_file_gives_the_year_its_holidays_and_make_up_days(tmp_path: Path) -> None:
    assert use_holiday_file(_write(tmp_path, GOOD)) == [YEAR]
    assert not is_working_day(dt.date(YEAR, 1, 1))  # a Tuesday holiday
    assert is_working_day(dt.date(YEAR, 1, 2))  # an ordinary Wednesday
    assert not is_working_day(dt.date(YEAR, 1, 5))  # an ordinary Saturday
    assert is_working_day(dt.date(YEAR, 1, 26))  # a Saturday made a working day
    assert not any(is_working_day(dt.date(YEAR, 1, d)) for d in range(28, 32))  # the range, inclusive
    assert not is_working_day(dt.date(YEAR, 2, 1))
    start = dt.date(YEAR, 1, 24)  # Thursday
    assert add_working_days(start, 1) == dt.date(YEAR, 1, 25)  # Friday
    assert add_working_days(start, 2) == dt.date(YEAR, 1, 26)  # the make-up Saturday
    assert add_working_days(start, 3) == dt.date(YEAR, 2, 4)  # Monday after the holiday week (28 Jan–1 Feb)
    assert add_working_days(start, 4) == dt.date(YEAR, 2, 5)


def test_a_year_the_package_knows_keeps_the_package_dates(tmp_path: Path) -> None:
    known = next(y for y in range(2025, 2000, -1) if package_knows(y))
    national_day = dt.date(known, 10, 1)
    assert not is_working_day(national_day)
    text = f"years:\n  {known}:\n    workdays: []\n    holidays: []\n"
    assert use_holiday_file(_write(tmp_path, text)) == []  # nothing added
    assert not is_working_day(national_day)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("years:\n  2199:\n    holidays: [2199-02-30]\n", 3, "is not a date"),
        ("years:\n  2199:\n    holidays: [2198-12-31]\n", 3, "is not in 2199"),
        ("years:\n  2199:\n    workdays: [2199-01-07]\n", 3, "is a Monday: a make-up working day"),
        ("years:\n  2199:\n    holidays: [2199-01-26]\n    workdays: [2199-01-26]\n", 4, "both a holiday"),
        ("years:\n  2199:\n    status: maybe\n", 3, "unknown status"),
        ("years:\n  2199:\n    holiday: []\n", 3, "unknown field"),
        ("years:\n  nineteen:\n    holidays: []\n", 2, "is not a year"),
        ("years:\n  2199:\n    holidays:\n      - {from: 2199-02-03, to: 2199-02-01}\n", 4, "ends"),
        ("holidays: []\n", 1, "`years:` mapping"),
    ],
)
def test_mistakes_name_the_file_line_and_field(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(InputError) as caught:
        use_holiday_file(path)
    text = str(caught.value)
    assert message in text and str(path) in text and f"line {line}" in text


def test_commands_that_count_working_days_read_the_file(tmp_path: Path) -> None:
    env = {"AIBEIAN_HOME": str(tmp_path), "AIBEIAN_HOLIDAYS": str(_write(tmp_path, GOOD))}
    done = CliRunner().invoke(cli, ["obligations", "deadline", f"{YEAR}-01-24", "4"], env=env)
    assert done.exit_code == 0, done.output
    assert f"{YEAR}-02-05" in done.output
    without = CliRunner().invoke(
        cli, ["obligations", "deadline", f"{YEAR}-01-24", "4"], env={"AIBEIAN_HOME": str(tmp_path)}
    )
    assert without.exit_code != 0 and "AIBEIAN_HOLIDAYS" in without.output
    broken = _write(tmp_path, "years:\n  2199:\n    workdays: [2199-01-07]\n")
    bad = CliRunner().invoke(
        cli, ["obligations", "deadline", f"{YEAR}-01-24", "4"], env={**env, "AIBEIAN_HOLIDAYS": str(broken)}
    )
    assert bad.exit_code == 2 and "line 3" in bad.output and "Traceback" not in bad.output


def test_doctor_says_which_years_come_from_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    check = _check_holidays(dt.date(YEAR, 3, 1), path)
    assert check.status == "ok" and f"{YEAR} from the holiday file" in check.detail
    late = _check_holidays(dt.date(YEAR, 12, 1), path)
    assert late.status == "warn" and f"into {YEAR + 1}" in late.detail
    broken = _write(tmp_path, "years: {2199: {status: maybe}}\n")
    assert _check_holidays(dt.date(YEAR, 3, 1), broken).status == "error"
