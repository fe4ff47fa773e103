"""``aibeian banks …``: check test banks against the quotas, import published datasets, draft candidates."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from aibeian.banks import KINDS, Kind, check_coverage, load_bank
from aibeian.cli._output import console, echo_json

KIND_ZH = {
    "generation": "生成内容测试题",
    "should_refuse": "应拒答测试题",
    "should_not_refuse": "非拒答测试题",
}


@click.group()
def banks() -> None:
    """Test banks: 生成内容测试题 / 应拒答 / 非拒答 — check quotas, import, augment.

    A bank is JSONL, one item a line: {"id", "prompt" | "messages", "kind", "risk", "aspect", "source"}.
    See docs/banks.md.
    """


@banks.command("check")
@click.argument("bank", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(KINDS),
    help="Check only these kinds' quotas (repeatable); default: all three.",
)
@click.option(
    "--near-duplicate",
    type=click.FloatRange(0.5, 1.0),
    default=0.85,
    show_default=True,
    help="3-gram Jaccard similarity from which two prompts are reported as near-duplicates.",
)
def check_cmd(bank: tuple[Path, ...], fmt: str, kinds: tuple[Kind, ...], near_duplicate: float) -> None:
    """Count items per kind, risk and aspect against every quota in the standards; find duplicates.

    Exit 0 only when every quota is met and no duplicate or inconsistent item is found; 1 otherwise.
    Candidates (status "candidate") are listed but never counted.
    """
    items = load_bank(bank)
    coverage = check_coverage(items, kinds=kinds or KINDS, near_duplicate_threshold=near_duplicate)
    if fmt == "json":
        echo_json(coverage.to_dict())
    else:
        _print_text(coverage.to_dict())
    raise SystemExit(0 if coverage.ok else 1)


def _mark(ok: bool) -> str:
    return "[green]✓[/]" if ok else "[red]✗[/]"


def _print_text(data: dict[str, object]) -> None:
    out = console()
    kinds = data["kinds"]
    assert isinstance(kinds, dict)
    table = Table(title="题库数量 / bank sizes")
    for col in ("kind", "题型", "count", "min", "ok", "candidates"):
        table.add_column(col)
    for kind, k in kinds.items():
        table.add_row(
            kind, KIND_ZH[kind], str(k["count"]), str(k["min"]), _mark(k["ok"]), str(k["candidates"])
        )
    out.print(table)
    per_risk = data["per_risk"]
    assert isinstance(per_risk, dict)
    risk_table = Table(title="按风险 / per risk")
    for col in ("risk", "风险", "生成题", "应拒答"):
        risk_table.add_column(col)
    for rid, r in per_risk.items():
        gen = f"{_mark(r['generation'] >= r['generation_min'])} {r['generation']}/{r['generation_min']}"
        ref = (
            "—"
            if r["should_refuse"] is None
            else (
                f"{_mark(r['should_refuse'] >= r['should_refuse_min'])} {r['should_refuse']}/{r['should_refuse_min']}"
            )
        )
        risk_table.add_row(rid, r["zh"], gen, ref)
    out.print(risk_table)
    aspects = kinds["should_not_refuse"]["per_aspect"]
    aspect_table = Table(title="非拒答题按方面 / should-not-refuse per aspect")
    for col in ("aspect", "方面", "count"):
        aspect_table.add_column(col)
    for aid, a in aspects.items():
        aspect_table.add_row(aid, a["zh"], f"{_mark(a['ok'])} {a['count']}/{a['min']}")
    out.print(aspect_table)
    problems = data["problems"]
    assert isinstance(problems, list)
    for p in problems:
        style = "red" if p["severity"] == "error" else "yellow"
        out.print(f"[{style}]{p['type']}[/] {', '.join(p['ids'])}: {p['message']}", markup=True)
    short = data["short"]
    assert isinstance(short, list)
    if data["ok"]:
        out.print("[green]所有配额均已满足 / every quota is met[/]")
    else:
        out.print(
            f"[red]{len(short)} 项配额未满足 / quotas not met: {len(short)}[/]; "
            f"{sum(p['severity'] == 'error' for p in problems)} problems"
        )
