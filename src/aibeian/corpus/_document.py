"""The report as a neutral list of blocks (headings, paragraphs, tables), built once from the assessment;
Markdown, HTML and .docx only lay the blocks out, so the three formats always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aibeian.corpus._i18n import t

__all__ = ["Block", "build_blocks"]


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "p" | "table" | "list"
    text: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    tone: str = ""  # "pass" | "fail" | "incomplete": for colour where a format has it


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def span(interval: list[float]) -> str:
    return f"[{interval[0] * 100:.2f}%, {interval[1] * 100:.2f}%]"


def num(value: int | float) -> str:
    return f"{value:,}"


def build_blocks(report: dict[str, Any], lang: str = "zh") -> list[Block]:
    c, tech, manual = report["conclusion"], report["technical"], report["manual"]
    b: list[Block] = [Block("h1", f"{t('title', lang)} — {t('subtitle', lang)}")]
    b.append(Block("h2", t("conclusion", lang)))
    b.append(
        Block(
            "p",
            f"{t('overall', lang)}：{t('status.' + c['status'], lang)}"
            if lang == "zh"
            else f"{t('overall', lang)}: {t('status.' + c['status'], lang)}",
            tone=c["status"],
        )
    )
    b.append(
        Block(
            "table",
            header=[t("technical_check", lang), t("manual_check", lang)],
            rows=[[t("status." + c["technical"], lang), t("status." + c["manual"], lang)]],
        )
    )
    reasons = [t("reason." + r, lang) for r in c["failing"] + c["missing"] + c["warnings"]]
    if reasons:
        b.append(Block("list", items=reasons))
    corpus = report["corpus"]
    b.append(Block("h2", t("overview", lang)))
    b.append(
        Block(
            "table",
            header=[
                t("items", lang),
                t("chars", lang),
                t("bytes", lang),
                t("files", lang),
                t("shards", lang),
                t("sources", lang),
            ],
            rows=[
                [
                    num(corpus["items"]),
                    num(corpus["chars"]),
                    num(corpus["bytes"]),
                    num(corpus["files"]),
                    num(corpus["shards"]),
                    num(len(report["sources"])),
                ]
            ],
        )
    )
    b.append(Block("h2", t("sources", lang)))
    b.append(
        Block(
            "table",
            header=[
                t("source", lang),
                t("name", lang),
                t("licence", lang),
                t("provenance", lang),
                t("items", lang),
                t("chars", lang),
            ],
            rows=[
                [
                    s["id"],
                    s.get("name", ""),
                    s.get("licence", ""),
                    " ".join(x for x in (s.get("provenance", ""), s.get("notes", "")) if x),
                    num(s["items"]),
                    num(s["chars"]),
                ]
                for s in report["sources"]
            ],
        )
    )
    b.append(Block("h2", t("method", lang)))
    run = report["run"]
    lib = run.get("library", {})
    b.append(
        Block(
            "p",
            t(
                "method.keywords",
                lang,
                keywords=num(lib.get("keywords", 0)),
                hash=str(lib.get("hash", ""))[:12],
            ),
        )
    )
    if run["judges"]:
        b.append(Block("p", t("method.judges", lang, judges=", ".join(run["judges"]))))
    b.append(Block("p", t("method.sample", lang, rate=f"{run['sample_rate']:g}", seed=run["seed"])))
    b.append(Block("p", t("method.manual", lang) + t("method.interval", lang)))
    b.append(Block("h2", t("per_source", lang)))
    b.append(
        Block(
            "table",
            header=[
                t("source", lang),
                t("items", lang),
                t("sampled", lang),
                t("flagged", lang),
                t("flagged_rate", lang),
                t("interval", lang),
                t("limit", lang),
                t("result", lang),
                t("risks", lang),
            ],
            rows=[
                [
                    s["id"],
                    num(s["items"]),
                    num(s["sampled"]),
                    num(s["flagged"]),
                    pct(s["flagged_rate"]),
                    span(s["interval"]),
                    pct(s["limit"]),
                    t("status." + s["status"], lang),
                    ", ".join(f"{k} ({v})" for k, v in s["risks"].items()),
                ]
                for s in report["sources"]
            ],
        )
    )
    b.append(Block("h2", t("technical_check", lang)))
    lead = [("items", num(tech["items"])), ("sampled", num(tech["sampled"]))]
    lead += [("fraction", pct(tech["fraction"])), ("min_fraction", pct(tech["min_fraction"]))]
    b.append(_check_table(lang, lead, tech, c["technical"]))
    b.append(Block("h2", t("manual_check", lang)))
    if not manual["drawn"]:
        b.append(Block("p", t("not_drawn", lang)))
    lead = [("drawn", num(manual["drawn"])), ("reviewed", num(manual["reviewed"]))]
    lead += [("min_items", num(manual["min_items"]))]
    b.append(_check_table(lang, lead, manual, c["manual"]))
    if manual["reasons"]:
        b.append(
            Block(
                "table",
                header=[t("reasons", lang), t("flagged", lang)],
                rows=[[k, num(v)] for k, v in manual["reasons"].items()],
            )
        )
    b += _problems(report, lang)
    if report["flagged_examples"]:
        b.append(Block("h2", t("examples", lang)))
        b.append(
            Block(
                "table",
                header=[t("id", lang), t("source", lang), t("risks", lang), t("evidence", lang)],
                rows=[
                    [
                        f["id"],
                        f["source"],
                        ", ".join(f["risks"]),
                        "；".join(m["text"] for m in f["matches"])
                        or "; ".join(
                            j["judge"] for j in f["judges"] if j.get("safe") is False or j.get("error")
                        ),
                    ]
                    for f in report["flagged_examples"]
                ],
            )
        )
    return b


_CHECK_COLUMNS = ["qualified", "qualified_rate", "interval", "min_pass_rate", "result"]


def _check_table(lang: str, lead: list[tuple[str, str]], check: dict[str, Any], status: str) -> Block:
    """A spot check (technical or manual) as a one-row table: the check's own leading columns, then the
    columns every check has (qualified, rate, interval, threshold, result), so the two read alike."""
    shared = [
        num(check["qualified"]),
        pct(check["rate"]),
        span(check["interval"]),
        pct(check["min_pass_rate"]),
        t("status." + status, lang),
    ]
    return Block(
        "table",
        header=[t(key, lang) for key, _ in lead] + [t(key, lang) for key in _CHECK_COLUMNS],
        rows=[[cell for _, cell in lead] + shared],
    )


def _problems(report: dict[str, Any], lang: str) -> list[Block]:
    p = report["problems"]
    b = [Block("h2", t("problems", lang))]
    ignored = report["corpus"]["ignored_files"]
    if not (p["corrupt"]["count"] or p["unassigned"]["count"] or ignored):
        return [*b, Block("p", t("no_problems", lang))]
    b.append(
        Block(
            "table",
            header=[t("corrupt", lang), t("unassigned", lang), t("ignored", lang)],
            rows=[[num(p["corrupt"]["count"]), num(p["unassigned"]["count"]), num(len(ignored))]],
        )
    )
    rows = [
        [f"{e['path']}" + (f":{e['line']}" if e["line"] is not None else ""), e["message"]]
        for e in p["corrupt"]["examples"]
    ]
    rows += [
        [e["id"], t("unassigned", lang) + (f" ({e['value']})" if e["value"] else "")]
        for e in p["unassigned"]["examples"]
    ]
    rows += [[f, t("ignored", lang)] for f in ignored[:50]]
    b.append(Block("table", header=[t("location", lang), t("message", lang)], rows=rows))
    return b
