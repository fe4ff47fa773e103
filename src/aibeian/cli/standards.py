"""``aibeian standards …``: print the regulatory facts the tool checks against, each with its status."""

from __future__ import annotations

import click
from rich.table import Table

from aibeian.cli._output import FORMAT_TABLE_JSON, console, echo_json
from aibeian.standards import load_standards

STATUS_STYLE = {"confirmed": "green", "reported": "yellow", "unverified": "red"}


def _status(status: str) -> str:
    return f"[{STATUS_STYLE.get(status, 'white')}]{status}[/]"


@click.group()
def standards() -> None:
    """Regulatory facts: the 31 risks, thresholds, filings and documents (zh + en, with status).

    Status: confirmed = a published standard or rule says it; reported = practitioners say it (advice,
    not law); unverified = weakly sourced.
    """


@standards.command("risks")
@click.option("--format", "fmt", type=FORMAT_TABLE_JSON, default="table", show_default=True)
def risks_cmd(fmt: str) -> None:
    """The 31 safety risks of TC260-003 / GB/T 45654-2025 Appendix A, with per-risk minimums."""
    s = load_standards()
    if fmt == "json":
        echo_json(
            {
                "standard": s.standard,
                "groups": [g.model_dump() for g in s.groups],
                "risks": [r.model_dump() for r in s.risks],
                "should_not_refuse_aspects": [a.model_dump() for a in s.should_not_refuse_aspects],
            }
        )
        return
    table = Table(title=f"31 类安全风险 / 31 safety risks — {s.standard}")
    for col in ("id", "风险 (zh)", "risk (en)", "关键词最少", "生成题最少", "应拒答最少", "status"):
        table.add_column(col)
    groups = {g.id: g for g in s.groups}
    current = None
    for r in s.risks:
        if r.group != current:
            current = r.group
            g = groups[r.group]
            table.add_row(f"[bold]{g.id}[/]", f"[bold]{g.zh}[/]", f"[bold]{g.en}[/]", "", "", "", "")
        table.add_row(
            r.id,
            r.zh,
            r.en,
            str(r.keyword_min or "—"),
            str(r.generation_bank_min),
            str(r.should_refuse_min or "—"),
            _status(r.status),
        )
    console().print(table)


@standards.command("thresholds")
@click.option("--format", "fmt", type=FORMAT_TABLE_JSON, default="table", show_default=True)
@click.option("--area", help="Only one area (corpus, keywords, banks, evaluation, filing, labeling, …).")
def thresholds_cmd(fmt: str, area: str | None) -> None:
    """Every numeric requirement: corpus, keyword library, banks, evaluation, deadlines."""
    items = [t for t in load_standards().thresholds if area is None or t.area == area]
    if fmt == "json":
        echo_json({"thresholds": [t.model_dump() for t in items]})
        return
    table = Table(title="阈值与数量要求 / thresholds")
    for col in ("key", "area", "value", "unit", "cmp", "modal", "status", "source / description"):
        table.add_column(col, overflow="fold")
    for t in items:
        table.add_row(
            t.key,
            t.area,
            str(t.value),
            t.unit,
            t.comparison or "",
            t.modal,
            _status(t.status),
            f"{t.source}: {t.description}",
        )
    console().print(table)


@standards.command("documents")
@click.option("--format", "fmt", type=FORMAT_TABLE_JSON, default="table", show_default=True)
@click.option(
    "--filing", type=click.Choice(["algorithm", "genai", "registration"]), help="Only one filing's."
)
def documents_cmd(fmt: str, filing: str | None) -> None:
    """The filing documents (zh + en), what each must contain, and which filings need them."""
    s = load_standards()
    used: dict[str, list[str]] = {}
    for f in s.filings:
        for doc_id in f.documents:
            used.setdefault(doc_id, []).append(f.id)
        for c in f.conditional_documents:
            used.setdefault(c.document, []).append(f"{f.id} ({c.when})")
    docs = [
        d for d in s.documents if filing is None or any(u.split(" ")[0] == filing for u in used.get(d.id, []))
    ]
    if fmt == "json":
        echo_json({"documents": [{**d.model_dump(), "filings": used.get(d.id, [])} for d in docs]})
        return
    table = Table(title="备案材料 / filing documents")
    for col in ("id", "材料 (zh)", "document (en)", "format", "filings", "status", "contents"):
        table.add_column(col, overflow="fold")
    for d in docs:
        contents = d.contents or [f"{sec.zh}: {', '.join(sec.contents)}" for sec in d.sections]
        table.add_row(
            d.id, d.zh, d.en, d.format, "\n".join(used.get(d.id, [])), _status(d.status), "\n".join(contents)
        )
    console().print(table)


@standards.command("filings")
@click.option("--format", "fmt", type=FORMAT_TABLE_JSON, default="table", show_default=True)
def filings_cmd(fmt: str) -> None:
    """The three filing types: who needs them, roles, review path, timelines per source."""
    s = load_standards()
    if fmt == "json":
        echo_json(s.filing_rules.model_dump())
        return
    table = Table(title="备案类型 / filings")
    for col in ("id", "zh / en", "who", "roles", "review", "months (source)", "status"):
        table.add_column(col, overflow="fold")
    for f in s.filings:
        months = "\n".join(f"{t.min:g}–{t.max:g} ({t.source})" for t in f.timeline_months)
        table.add_row(
            f.id,
            f"{f.zh}\n{f.en}",
            f.who,
            ", ".join(f.roles),
            ", ".join(f.review_levels),
            months,
            _status(f.status),
        )
    console().print(table)
