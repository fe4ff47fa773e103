"""``aibeian filing-number`` and ``aibeian display-check``: the numbers issued after a filing, and whether
the service's pages show them."""

from __future__ import annotations

import click

from aibeian.cli._output import console, echo_json
from aibeian.obligations import display_check, parse_filing_number

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
