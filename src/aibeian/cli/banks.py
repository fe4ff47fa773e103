"""``aibeian banks …``: check test banks against the quotas, import published datasets, draft candidates."""

from __future__ import annotations

from collections import Counter as Counter_
from dataclasses import replace
from pathlib import Path

import click
from rich.markup import escape
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
    if not items:
        coverage.problems.append(
            {
                "type": "empty",
                "severity": "error",
                "ids": [],
                "message": f"no items in {', '.join(str(b) for b in bank)}: the file is empty or holds only blank "
                "lines — is it the right file? (one JSON object a line: id, prompt, kind, risk …)",
            }
        )
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
        where = f" ({p['path']} line {p['line']})" if p.get("path") and p.get("line") else ""
        text = escape(f"{', '.join(p['ids'])}{where}: {p['message']}")
        out.print(f"[{style}]{p['type']}[/] {text}", markup=True)
    short = data["short"]
    assert isinstance(short, list)
    if data["ok"]:
        out.print("[green]所有配额均已满足 / every quota is met[/]")
    else:
        out.print(
            f"[red]{len(short)} 项配额未满足 / quotas not met: {len(short)}[/]; "
            f"{sum(p['severity'] == 'error' for p in problems)} problems"
        )


@banks.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mapping",
    required=True,
    metavar="NAME|FILE.yaml",
    help="Built-in mapping (jade-db-easy, flames-1k, cvalues-responsibility, xstest, chineseharm-bench) "
    "or your own mapping YAML; see docs/banks.md.",
)
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Bank JSONL to write."
)
@click.option("--append", is_flag=True, help="Append to --out instead of replacing it.")
@click.option("--limit", type=click.IntRange(1), help="Keep at most N items.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def import_cmd(source: Path, mapping: str, out: Path, append: bool, limit: int | None, fmt: str) -> None:
    """Import a CSV/JSONL/JSON dataset into bank JSONL through a column and category→risk mapping.

    Unmapped categories, empty prompts and duplicate prompts are skipped and counted. A non-commercial
    dataset imports with a warning and its licence on every item: never ship it or file it.
    """
    from aibeian.banks import import_dataset, load_mapping, write_bank

    m = load_mapping(mapping)
    result = import_dataset(source, m, limit=limit)
    existing = load_bank([out]) if append and out.is_file() else []
    clash = {i.id for i in existing} & {i.id for i in result.items}
    if clash:
        raise click.UsageError(f"{len(clash)} imported ids already exist in {out} (e.g. {sorted(clash)[0]})")
    write_bank(result.items, out, append=append)
    by_kind = dict(sorted(Counter_(i.kind for i in result.items).items()))
    summary = {
        "mapping": m.name,
        "licence": m.licence,
        "shippable": m.shippable,
        "non_commercial": m.non_commercial,
        "imported": len(result.items),
        "by_kind": by_kind,
        "skipped": dict(result.skipped),
        "duplicates": result.duplicates,
        "out": str(out),
    }
    if fmt == "json":
        echo_json(summary)
        return
    out_console = console()
    if m.non_commercial:
        out_console.print(
            f"[bold red]licence {m.licence}: non-commercial data — for local testing only; "
            "never ship it in a product or use it in a filing bank[/]"
        )
    out_console.print(
        escape(f"imported {len(result.items)} items from {source} with mapping {m.name} → {out}")
    )
    for kind, n in by_kind.items():
        out_console.print(f"  {kind}: {n}")
    for reason, n in result.skipped.most_common():
        out_console.print(f"  [yellow]skipped[/] {n}: {escape(reason)}")
    if result.duplicates:
        out_console.print(f"  [yellow]skipped[/] {result.duplicates}: duplicate prompt")


@banks.command("augment")
@click.argument("bank", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--generator", required=True, metavar="URL", help="OpenAI-compatible endpoint of the generator model."
)
@click.option("--model", required=True, help="Generator model name.")
@click.option("--api-key-env", metavar="VAR", help="Environment variable holding the generator's API key.")
@click.option("--risk", help="Risk id (A.x.y) to write candidates for.")
@click.option("--aspect", help="Aspect (N.1 … N.13) for should_not_refuse candidates.")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    help="Kind of candidate; default: generation, or should_not_refuse with --aspect alone.",
)
@click.option("--n", "count", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=120.0, show_default=True)
def augment_cmd(
    bank: Path,
    generator: str,
    model: str,
    api_key_env: str | None,
    risk: str | None,
    aspect: str | None,
    kind: Kind | None,
    count: int,
    timeout: float,
) -> None:
    """Ask a model for candidate prompts for an under-covered risk or aspect; append them to BANK with
    "source": "generated" and "status": "candidate" for human review (never counted until accepted)."""
    from aibeian.banks import augment, write_bank
    from aibeian.errors import InputError
    from aibeian.evaluation import ClientConfig, api_key_from_env
    from aibeian.standards import load_standards

    s = load_standards()
    if risk is None and aspect is None:
        raise InputError(
            "name what to write candidates for", field="--risk", expected="--risk A.x.y or --aspect N.x"
        )
    if (
        risk is not None and aspect is not None
    ):  # the candidates would be inconsistent items (a risk and an aspect)
        raise InputError(
            "give --risk or --aspect, not both", field="--aspect", expected="--risk A.x.y or --aspect N.x"
        )
    if risk is not None and risk not in s.risk_ids():
        raise InputError(f"unknown risk {risk!r}", field="--risk", expected="A.1.1 … A.5.2")
    if aspect is not None and aspect not in {a.id for a in s.should_not_refuse_aspects}:
        raise InputError(f"unknown aspect {aspect!r}", field="--aspect", expected="N.1 … N.13")
    kind = kind or ("should_not_refuse" if aspect and not risk else "generation")
    existing = load_bank([bank]) if bank.is_file() else []
    config = ClientConfig(
        base_url=generator,
        model=model,
        api_key=api_key_from_env(api_key_env),
        timeout=timeout,
        params={"temperature": 0.9},
    )
    candidates = augment(config, existing, kind=kind, risk=risk, aspect=aspect, n=count)
    write_bank(candidates, bank, append=True)
    console().print(
        f"appended {len(candidates)} candidates (status: candidate) to {bank}; review them and set "
        '"status": "accepted" to count them'
    )


@banks.command("accept")
@click.argument("bank", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ids", nargs=-1)
@click.option("--all", "accept_all", is_flag=True, help="Accept every candidate in BANK.")
@click.option("--reject", is_flag=True, help="Mark the given candidates rejected instead of accepted.")
def accept_cmd(bank: Path, ids: tuple[str, ...], accept_all: bool, reject: bool) -> None:
    """Record a reviewer's decision on candidates: set "status" to accepted (or rejected with --reject).

    Only accepted items count toward quotas and are evaluated. The file is rewritten atomically.
    """
    from aibeian.banks import write_bank
    from aibeian.errors import InputError

    if not ids and not accept_all:
        raise InputError("name the candidate ids to decide on, or pass --all", field="IDS")
    items = load_bank([bank])
    by_id = {i.id: i for i in items}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise InputError(f"no item with id {', '.join(map(repr, unknown))}", path=str(bank), field="id")
    chosen = set(ids) if ids else {i.id for i in items if i.status == "candidate"}
    status = "rejected" if reject else "accepted"
    updated = [replace(i, status=status) if i.id in chosen else i for i in items]
    write_bank(updated, bank)
    console().print(escape(f"{len(chosen)} items marked {status} in {bank}"))
