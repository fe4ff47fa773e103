"""``aibeian filing-number`` and ``aibeian display-check``: the numbers issued after a filing, and whether
the service's pages show them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from aibeian.cli._output import apply_holiday_file, console, echo_json
from aibeian.errors import InputError
from aibeian.files import atomic_write_bytes
from aibeian.obligations import (
    ObligationsConfig,
    add_working_days,
    assess_changes,
    change_kinds,
    display_check,
    duties_to_ics,
    load_config,
    obligations_for,
    parse_filing_number,
    with_keyword_store,
)

STATUS_STYLE = {"confirmed": "green", "reported": "yellow", "unverified": "red"}


@click.group("filing-number")
def filing_number() -> None:
    """Filing numbers: algorithm (网信算备…号), GenAI (Province-Name-YYYYMMDD…) and registration (上线编号)."""


@filing_number.command("parse")
@click.argument("numbers", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def parse_cmd(numbers: tuple[str, ...], fmt: str) -> None:
    """Recognise, decode and validate NUMBERS. Each check shows whether its rule is confirmed or only
    inferred from published numbers. Exit 0 when every number is valid, 1 otherwise."""
    parsed = [parse_filing_number(n) for n in numbers]
    if fmt == "json":
        echo_json(parsed[0].to_dict() if len(parsed) == 1 else [p.to_dict() for p in parsed])
    else:
        c = console()
        for p in parsed:
            verdict = "[green]valid[/]" if p.valid else "[red]invalid[/]"
            c.print(f"{p.input}: {p.kind}, {verdict}")
            for key, value in p.fields.items():
                c.print(f"  {key}: {value}")
            for check in p.checks:
                mark = "ok" if check.ok else "FAIL"
                c.print(
                    f"  check {check.name}: {mark} [{STATUS_STYLE.get(check.status, 'white')}]({check.status})[/]"
                )
            for problem in p.problems:
                c.print(f"  [red]problem:[/] {problem}")
    click.get_current_context().exit(0 if all(p.valid for p in parsed) else 1)


@click.command("display-check")
@click.argument("target")
@click.option("--expect", multiple=True, help="A filing number that must be shown (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def display_check_cmd(target: str, expect: tuple[str, ...], fmt: str) -> None:
    """Check a page (URL or saved .html file) for each expected filing number, an AIGC notice and a
    complaint/report entry, with the evidence (element, text, line). Numbers only in images or split across
    elements count as not shown. Exit 0 when everything is there, 1 otherwise — usable in a site's CI."""
    report = display_check(target, expect=list(expect))
    if fmt == "json":
        echo_json(report)
    else:
        c = console()
        for n in report["expected"]:
            if n["found"]:
                ev = n["evidence"][0]
                c.print(f"[green]shown[/]  {n['number']}  <{ev['element']}> line {ev['line']}: {ev['text']}")
            else:
                c.print(f"[red]missing[/]  {n['number']}  ({n['hint']})")
        for key, label in (("aigc_notice", "AIGC notice"), ("complaint_entry", "complaint/report entry")):
            block = report[key]
            if block["present"]:
                ev = block["evidence"][0]
                c.print(f"[green]present[/]  {label}  <{ev['element']}> line {ev['line']}: {ev['text']}")
            else:
                c.print(f"[red]missing[/]  {label}")
        if not expect:
            for seen in report["numbers_seen"]:
                c.print(f"seen  {seen['number']}  <{seen['element']}> line {seen['line']}")
        c.print("[green]OK[/]" if report["ok"] else f"[red]{len(report['problems'])} problem(s)[/]")
    click.get_current_context().exit(0 if report["ok"] else 1)


STATE_STYLE = {"overdue": "red", "due_soon": "yellow", "ok": "green", "unknown": "magenta"}


@click.group("obligations")
def obligations() -> None:
    """Ongoing duties after the filing: calendar, ICS feed, material changes, working-day deadlines.

    The filings you hold are described in an obligations file (see docs/obligations.md):
    filings: [{id, type, number, approved}], keyword_releases: [dates] or keyword_store: FOLDER (the
    releases of `aibeian keywords release --store FOLDER`), last_bank_update: date. Deadlines in working days
    use the official holidays, and a holiday file (AIBEIAN_HOLIDAYS) for a year not yet packaged.
    """
    apply_holiday_file()


STORE_HELP = (
    "A keyword release store (`aibeian keywords release --store`): its release dates drive the weekly "
    "keyword duty (overrides keyword_store in the file)."
)


def _config(config_file: Path, keyword_store: Path | None) -> ObligationsConfig:
    config = load_config(config_file)
    return with_keyword_store(config, keyword_store) if keyword_store is not None else config


def _today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value!r} is not a date", field="--today", expected="YYYY-MM-DD") from None


@obligations.command("list")
@click.argument("config_file", type=click.Path(path_type=Path))
@click.option("--today", help="Compute as of this date (YYYY-MM-DD); default: today.")
@click.option("--keyword-store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def list_cmd(config_file: Path, today: str | None, keyword_store: Path | None, fmt: str) -> None:
    """Every duty of every filing with its next due date; missed weekly keyword releases are flagged.
    Exit 1 when a duty is overdue or a week was missed."""
    duties = obligations_for(_config(config_file, keyword_store), today=_today(today))
    if fmt == "json":
        echo_json({"duties": [d.to_dict() for d in duties]})
    else:
        c = console()
        for d in duties:
            style = STATE_STYLE.get(d.state, "white")
            due = d.due.isoformat() if d.due else "—"
            c.print(
                f"{d.filing:<14} [{style}]{d.state:<9}[/] {due:<10}  {d.zh} / {d.en}  ({d.cadence}; {d.status})"
            )
            if d.note:
                c.print(f"{'':<25}{d.note}")
            for gap in d.missed:
                c.print(f"{'':<25}[red]missed:[/] {gap}")
    bad = any(d.state == "overdue" or d.missed for d in duties)
    click.get_current_context().exit(1 if bad else 0)


@obligations.command("ics")
@click.argument("config_file", type=click.Path(path_type=Path))
@click.option("--filing", "filing_id", help="Only this filing's duties (its id in the obligations file).")
@click.option("--today", help="Compute as of this date (YYYY-MM-DD); default: today.")
@click.option("--keyword-store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The .ics file to write.")
def ics_cmd(
    config_file: Path, filing_id: str | None, today: str | None, keyword_store: Path | None, out: Path
) -> None:
    """Write an iCalendar feed of the dated duties (recurring by cadence) for calendar clients."""
    config = _config(config_file, keyword_store)
    duties = obligations_for(config, today=_today(today))
    if filing_id is not None:
        known = [f.id for f in config.filings]
        if filing_id not in known:
            raise InputError(
                f"no filing {filing_id!r} in {config_file}", field="--filing", expected=", ".join(known)
            )
        duties = [d for d in duties if d.filing == filing_id]
    atomic_write_bytes(out, duties_to_ics(duties, name=f"aibeian — {filing_id or config_file.stem}"))
    click.echo(f"wrote {out} ({sum(d.due is not None for d in duties)} events)")


@obligations.command("change")
@click.option(
    "--filing", "filing_type", type=click.Choice(["algorithm", "genai", "registration"]), required=True
)
@click.option(
    "--change",
    "changes",
    multiple=True,
    required=True,
    help="What changed (repeatable): " + ", ".join(change_kinds()),
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def change_cmd(filing_type: str, changes: tuple[str, ...], fmt: str) -> None:
    """Material-change questionnaire: does this change need a re-filing, an amendment (变更) or nothing?"""
    result = assess_changes(filing_type, list(changes))
    if fmt == "json":
        echo_json(result)
        return
    words = {
        "refile": "重新备案 / re-file",
        "amend": "变更手续 / amend the filing",
        "none": "无需处理 / nothing",
    }
    for item in result["changes"]:
        click.echo(f"{item['zh']} / {item['en']}: {words[item['action']]}")
    click.echo(
        f"→ {words[result['action']]}"
        + (
            f" (amendments within {result['amend_deadline_working_days']} working days)"
            if result["action"] == "amend"
            else ""
        )
    )
    click.echo(f"status: {result['status']}; source: {result['source']}")


@obligations.command("deadline")
@click.argument("start")
@click.argument("working_days", type=click.IntRange(min=0))
@click.option(
    "--pause", "pauses", multiple=True, help="A paused period FROM:TO (dates, inclusive), repeatable."
)
def deadline_cmd(start: str, working_days: int, pauses: tuple[str, ...]) -> None:
    """The date WORKING_DAYS working days (工作日, official holidays and make-up days) after START."""
    parsed = []
    for p in pauses:
        a, _, b = p.partition(":")
        parsed.append((_today(a), _today(b or a)))
    click.echo(add_working_days(_today(start), working_days, pauses=parsed).isoformat())
