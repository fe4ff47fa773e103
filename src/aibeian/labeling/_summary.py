"""Batch results as text for people: one line per file (labelled) or a short block per file (verified),
then a summary table. Works on the JSON-shaped records, so a run folder alone can be printed again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["print_items", "print_reports"]


def print_items(c: Console, items: Sequence[dict[str, Any]], verb: str) -> None:
    """One ✓/✗ line per file, and a summary table when there is more than one."""
    for i in items:
        if i["error"]:
            c.print(f"[red]✗[/] {escape(i['file'])}: {escape(i['error'])}", highlight=False)
        else:
            note = f"  ({i['note']})" if i["note"] else ""
            c.print(
                f"[green]✓[/] {escape(i['file'])} → {escape(str(i['output']))}{escape(note)}", highlight=False
            )
    if len(items) > 1:
        done = sum(bool(i["ok"]) for i in items)
        table = Table(title=f"{verb} 汇总 / summary")
        for col in ("files / 文件", "ok / 成功", "failed / 失败"):
            table.add_column(col, justify="right")
        table.add_row(str(len(items)), str(done), str(len(items) - done))
        c.print(table)


def _print_report(c: Console, r: dict[str, Any]) -> None:
    mark = "[green]✓ 合规 compliant[/]" if r["compliant"] else "[red]✗ 不合规 non-compliant[/]"
    c.print(f"{mark}  {escape(r['file'])}  ({r['format']})", highlight=False)
    ex, im = r["explicit"], r["implicit"]
    where = ex["details"].get("where")
    skipped = ex["details"].get("skipped")
    state = "present" if ex["present"] else "not checked (--implicit-only)" if skipped else "not confirmed"
    c.print(f"  显式 explicit: {state}{f' — {where}' if where else ''}", highlight=False, markup=False)
    if im["present"]:
        values = " ".join(f"{k}={v['value']}" for k, v in im["fields"].items() if v["value"])
        c.print(f"  隐式 implicit: {im['location']}: {values}", highlight=False, markup=False)
    else:
        c.print(f"  隐式 implicit: {im.get('note') or 'absent'}", highlight=False, markup=False)
    for p in r["problems"]:
        c.print(f"  - {p}", highlight=False, markup=False)


def print_reports(c: Console, reports: Sequence[dict[str, Any]]) -> None:
    """Each file's verdict, labels and problems, then a per-format summary table."""
    for r in reports:
        _print_report(c, r)
    if len(reports) > 1:
        table = Table(title="检查汇总 / verification summary")
        for col in ("format / 格式", "files / 文件", "compliant / 合规", "non-compliant / 不合规"):
            table.add_column(col, justify="right")
        by_format = Counter(r["format"] for r in reports)
        ok = Counter(r["format"] for r in reports if r["compliant"])
        for name, n in sorted(by_format.items()):
            table.add_row(name, str(n), str(ok[name]), str(n - ok[name]))
        total_ok = sum(ok.values())
        table.add_row("[bold]total[/]", str(len(reports)), str(total_ok), str(len(reports) - total_ok))
        c.print(table)
