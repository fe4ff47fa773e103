"""After the filing: the obligations calendar (recurring, standing and event-driven duties, an ICS feed),
working-day deadlines, the material-change questionnaire, filing numbers and display checks."""

from aibeian.obligations._calendar import (
    Duty,
    FiledService,
    ObligationsConfig,
    load_config,
    obligations_for,
    with_keyword_store,
)
from aibeian.obligations._changes import assess_changes, change_kinds
from aibeian.obligations._display import check_page, display_check
from aibeian.obligations._filing_numbers import ParsedNumber, find_numbers, parse_filing_number
from aibeian.obligations._ics import duties_to_ics
from aibeian.obligations._workdays import (
    CalendarRangeError,
    add_working_days,
    is_working_day,
    package_knows,
    use_holiday_file,
    working_days_between,
)

__all__ = [
    "CalendarRangeError",
    "Duty",
    "FiledService",
    "ObligationsConfig",
    "ParsedNumber",
    "add_working_days",
    "assess_changes",
    "change_kinds",
    "check_page",
    "display_check",
    "duties_to_ics",
    "find_numbers",
    "is_working_day",
    "load_config",
    "obligations_for",
    "package_knows",
    "parse_filing_number",
    "use_holiday_file",
    "with_keyword_store",
    "working_days_between",
]
