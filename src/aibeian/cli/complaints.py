"""``aibeian complaints``: the complaint queue of a workbench database, from the terminal (list, show, export,
monthly statistics for the annual update)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from aibeian.cli._output import apply_holiday_file, console, echo_json, lang_option
from aibeian.complaints import (
    STATUS_WORDS,
    STATUSES,
    export_complaints,
    export_rows,
    load_policy,
    local_iso,
    monthly_stats,
    normalise_tracking_number,
)
from aibeian.errors import InputError
from aibeian.settings import Settings
from aibeian.storage import (
    Complaint,
    Store,
    complaint_by_tracking,
    complaint_clock_of,
    complaint_record,
    complaint_records,
    get_complaint,
    list_complaints,
    open_store,
)

_DB = click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Database URL (default: AIBEIAN_DB_URL, else the SQLite file under AIBEIAN_HOME).",
)
_NOW = click.option(
    "--now", "now_text", metavar="YYYY-MM-DD", help="Compute deadlines as of this day (default: now)."
)


def _store(db_url: str | None) -> Store:
    return open_store(db_url or Settings().database_url())


def _now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{text!r} is not a date", field="--now", expected="YYYY-MM-DD") from None
    return dt.datetime(day.year, day.month, day.day, 4, tzinfo=dt.UTC)  # noon in Asia/Shanghai


def _find(session, ref: str) -> Complaint:  # type: ignore[no-untyped-def]
    if ref.isdigit():
        return get_complaint(session, complaint_id=int(ref))
    found = complaint_by_tracking(session, tracking=normalise_tracking_number(ref))
    if found is None:
        raise InputError(
            f"no complaint {ref!r} in the database", field="COMPLAINT", expected="an id or a tracking number"
        )
    return found


@click.group("complaints")
def complaints() -> None:
    """投诉举报: the complaint queue of a workbench database (list, show, export, stats)."""
    apply_holiday_file()


@complaints.command("list")
@_DB
@click.option(
    "--status", type=click.Choice(["open", *STATUSES]), help="Only this status (open: not replied or closed)."
)
@click.option("--category", help="Only this category id.")
@click.option("--overdue", is_flag=True, help="Only open complaints past their reply deadline.")
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True)
@_NOW
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def list_cmd(
    db_url: str | None,
    status: str | None,
    category: str | None,
    overdue: bool,
    limit: int,
    now_text: str | None,
    fmt: str,
) -> None:
    """The queue, newest first, with each complaint's deadline in working days. Exit 1 with --overdue when
    any complaint is overdue (for a scheduled check)."""
    now = _now(now_text)
    store = _store(db_url)
    try:
        with store.session() as s:
            found = list_complaints(
                s,
                status="open" if overdue else status,
                category=category,
                limit=100_000 if overdue else limit,
            )
            rows = [(c, complaint_clock_of(c, now=now)) for c in found]
            if overdue:
                rows = [(c, k) for c, k in rows if k.overdue][:limit]
            out = [
                {
                    "id": c.id,
                    "tracking": c.tracking,
                    "received_at": local_iso(c.received_at),
                    "category": c.category,
                    "status": c.status,
                    "assignee": c.assignee.username if c.assignee else "",
                    "due": k.due.isoformat() if k.due else None,
                    "clock": k.state,
                    "days_left": k.days_left,
                }
                for c, k in rows
            ]
    finally:
        store.dispose()
    if fmt == "json":
        echo_json({"complaints": out})
    else:
        c = console()
        for r in out:
            style = "red" if r["clock"] == "overdue" else "white"
            c.print(
                f"{r['id']:>5}  {r['tracking']}  {r['received_at']}  {r['category']:<22} {r['status']:<16} "
                f"[{style}]{r['due'] or '—':<10} {r['clock']}[/]  {r['assignee']}"
            )
        c.print(f"{len(out)} complaint(s)")
    click.get_current_context().exit(1 if overdue and out else 0)


@complaints.command("show")
@click.argument("complaint")
@_DB
@_NOW
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def show_cmd(complaint: str, db_url: str | None, now_text: str | None, fmt: str) -> None:
    """One complaint (by id or tracking number) with its notes, attachments and deadline."""
    now = _now(now_text)
    store = _store(db_url)
    try:
        with store.session() as s:
            c = _find(s, complaint)
            row = export_rows([complaint_record(c)], now=now, with_contact=True)[0]
            row["id"] = c.id
            row["notes"] = [{"at": local_iso(n.at), "author": n.author, "text": n.text} for n in c.notes]
            row["files"] = [
                {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                for a in c.attachments
            ]
    finally:
        store.dispose()
    if fmt == "json":
        echo_json(row)
        return
    for key in (
        "tracking",
        "received_at",
        "category",
        "status",
        "assignee",
        "due",
        "clock",
        "contact",
        "replied_at",
    ):
        click.echo(f"{key}: {row[key]}")
    click.echo(f"status words: {STATUS_WORDS[row['status']][0]} / {STATUS_WORDS[row['status']][1]}")
    click.echo("description:\n  " + row["description"].replace("\n", "\n  "))
    if row["reply"]:
        click.echo("reply:\n  " + row["reply"].replace("\n", "\n  "))
    for f in row["files"]:
        click.echo(f"file: {f['filename']} ({f['content_type']}, {f['size']} bytes)")
    for n in row["notes"]:
        click.echo(f"note {n['at']} {n['author']}: {n['text']}")


def _year_bounds(year: int | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    if year is None:
        return None, None
    shift = dt.timedelta(hours=8)  # the year as it is in Asia/Shanghai
    return dt.datetime(year, 1, 1, tzinfo=dt.UTC) - shift, dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC) - shift


@complaints.command("export")
@_DB
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A .csv or .xlsx file to write.")
@click.option("--year", type=int, help="Only complaints received in this year (Asia/Shanghai).")
@click.option("--with-contact", is_flag=True, help="Include the reporters' contact details (personal data).")
@lang_option("Column headers.")
@_NOW
def export_cmd(
    db_url: str | None, out: Path, year: int | None, with_contact: bool, lang: str, now_text: str | None
) -> None:
    """Write the complaints to CSV (UTF-8 with BOM, for Excel) or XLSX, atomically; formula-like cells are
    neutralised so a spreadsheet never runs reporter text."""
    store = _store(db_url)
    try:
        with store.session() as s:
            start, end = _year_bounds(year)
            records = complaint_records(s, received_from=start, received_before=end)
    finally:
        store.dispose()
    n = export_complaints(records, out, now=_now(now_text), with_contact=with_contact, lang=lang)
    click.echo(f"wrote {out} ({n} complaints)")


@complaints.command("stats")
@_DB
@click.option("--year", type=int, help="The year (default: this year).")
@_NOW
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats_cmd(db_url: str | None, year: int | None, now_text: str | None, fmt: str) -> None:
    """Monthly statistics for the annual update: received, by category, answered on time / late, open,
    overdue, median working days to answer."""
    now = _now(now_text)
    year = year or now.year
    store = _store(db_url)
    try:
        with store.session() as s:
            months = monthly_stats(complaint_records(s), year=year, now=now)
    finally:
        store.dispose()
    if fmt == "json":
        echo_json({"year": year, "policy": load_policy().source, "months": [m.to_dict() for m in months]})
        return
    c = console()
    c.print("month    received answered on_time late open overdue median_wd by_category")
    for m in months:
        median = "—" if m.median_working_days_to_answer is None else f"{m.median_working_days_to_answer:g}"
        cats = ", ".join(f"{k}:{v}" for k, v in m.by_category.items())
        c.print(
            f"{m.month}  {m.received:>8} {m.answered:>8} {m.answered_on_time:>7} {m.answered_late:>4} "
            f"{m.open:>4} {m.overdue:>7} {median:>9} {cats}"
        )
