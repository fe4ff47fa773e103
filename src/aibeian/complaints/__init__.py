"""投诉举报: the public complaint and report channel a provider must run (Interim Measures Art. 15).

The rules here hold no storage and no web: the policy (categories and limits as data), tracking numbers,
statuses, the working-day clock that pauses while waiting on the reporter, attachment checks, the
per-address flood limit, CSV/XLSX export and monthly statistics. ``aibeian.storage`` keeps complaints,
the web workbench and the CLI are thin adapters over both.
"""

from aibeian.complaints._clock import Clock, ClockState, Pause, complaint_clock, paused_days
from aibeian.complaints._export import COLUMNS, export_complaints, export_rows, to_csv_bytes, to_xlsx_bytes
from aibeian.complaints._intake import ComplaintDraft, check_idempotency_key, draft_complaint
from aibeian.complaints._localtime import local_date, local_iso
from aibeian.complaints._policy import Category, ComplaintPolicy, load_policy
from aibeian.complaints._ratelimit import SubmissionLimiter
from aibeian.complaints._record import ComplaintRecord
from aibeian.complaints._stats import MonthStats, monthly_stats
from aibeian.complaints._status import CLOSED_STATUSES, STATUS_WORDS, STATUSES, TRANSITIONS, check_transition
from aibeian.complaints._tracking import new_tracking_number, normalise_tracking_number
from aibeian.complaints._uploads import Attachment, check_attachment, safe_filename, sniff

__all__ = [
    "CLOSED_STATUSES",
    "COLUMNS",
    "STATUSES",
    "STATUS_WORDS",
    "TRANSITIONS",
    "Attachment",
    "Category",
    "Clock",
    "ClockState",
    "ComplaintDraft",
    "ComplaintPolicy",
    "ComplaintRecord",
    "MonthStats",
    "Pause",
    "SubmissionLimiter",
    "check_attachment",
    "check_idempotency_key",
    "check_transition",
    "complaint_clock",
    "draft_complaint",
    "export_complaints",
    "export_rows",
    "load_policy",
    "local_date",
    "local_iso",
    "monthly_stats",
    "new_tracking_number",
    "normalise_tracking_number",
    "paused_days",
    "safe_filename",
    "sniff",
    "to_csv_bytes",
    "to_xlsx_bytes",
]
