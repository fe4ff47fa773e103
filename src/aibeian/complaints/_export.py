"""CSV and XLSX exports of the queue, for the annual update and for anyone who works in a spreadsheet.

Both are written atomically (temp file + rename). Cells that a spreadsheet would run as a formula (starting
with = + - @, or a tab/CR) are prefixed with an apostrophe: complaint text is written by the public, and a
staff member opening the export must not execute it (CSV injection).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Sequence
from typing import Any

from aibeian.complaints._localtime import local_iso
from aibeian.complaints._record import ComplaintRecord
from aibeian.errors import InputError
from aibeian.files import atomic_write_bytes

__all__ = ["COLUMNS", "export_complaints", "export_rows", "to_csv_bytes", "to_xlsx_bytes"]

COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("tracking", "受理编号", "Tracking number"),
    ("received_at", "受理时间", "Received (Asia/Shanghai)"),
    ("category", "类别", "Category"),
    ("status", "状态", "Status"),
    ("assignee", "经办人", "Assignee"),
    ("due", "答复期限", "Reply due"),
    ("clock", "期限状态", "Deadline state"),
    ("replied_at", "答复时间", "Replied"),
    ("closed_at", "办结时间", "Closed"),
    ("description", "投诉内容", "Description"),
    ("reply", "答复内容", "Reply"),
    ("attachments", "附件数", "Attachments"),
    ("contact", "联系方式", "Contact"),
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _neutral(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def export_rows(
    records: Sequence[ComplaintRecord], *, now: dt.datetime, with_contact: bool = False
) -> list[dict[str, Any]]:
    """One dict per complaint with the export's keys; contact details only when asked (personal data)."""
    rows = []
    for r in records:
        clock = r.clock(now)
        rows.append(
            {
                "tracking": r.tracking,
                "received_at": local_iso(r.received_at),
                "category": r.category,
                "status": r.status,
                "assignee": r.assignee,
                "due": clock.due.isoformat() if clock.due else "",
                "clock": clock.state,
                "replied_at": local_iso(r.replied_at),
                "closed_at": local_iso(r.closed_at),
                "description": r.description,
                "reply": r.reply,
                "attachments": r.attachments,
                "contact": r.contact if with_contact else "",
            }
        )
    return rows


def _header(lang: str) -> list[str]:
    return [zh if lang == "zh" else en for _key, zh, en in COLUMNS]


def to_csv_bytes(rows: list[dict[str, Any]], *, lang: str = "zh") -> bytes:
    """UTF-8 with a BOM, so Excel on a Chinese Windows opens it without mojibake."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(_header(lang))
    for row in rows:
        writer.writerow([_neutral(row[key]) for key, _zh, _en in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx_bytes(rows: list[dict[str, Any]], *, lang: str = "zh") -> bytes:
    from openpyxl import Workbook  # imported here: it costs ~1 s of start-up the intake never needs

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "投诉举报" if lang == "zh" else "Complaints"
    ws.append(_header(lang))
    for row in rows:
        ws.append([_neutral(row[key]) for key, _zh, _en in COLUMNS])
    ws.freeze_panes = "A2"
    for letter, width in zip(
        "ABCDEFGHIJKLM", (26, 20, 20, 14, 12, 12, 14, 20, 20, 60, 60, 8, 24), strict=True
    ):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_complaints(
    records: Sequence[ComplaintRecord],
    path: str | os.PathLike[str],
    *,
    now: dt.datetime,
    with_contact: bool = False,
    lang: str = "zh",
) -> int:
    """Write ``path`` (.csv or .xlsx by its suffix) atomically; returns the number of complaints written."""
    suffix = os.fspath(path).lower().rsplit(".", 1)[-1]
    rows = export_rows(records, now=now, with_contact=with_contact)
    if suffix == "csv":
        data = to_csv_bytes(rows, lang=lang)
    elif suffix == "xlsx":
        data = to_xlsx_bytes(rows, lang=lang)
    else:
        raise InputError(
            f"cannot export to {os.fspath(path)!r}", field="--out", expected="a .csv or .xlsx file"
        )
    atomic_write_bytes(path, data)
    return len(rows)
