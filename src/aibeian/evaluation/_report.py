"""The evaluation report, built from a run directory alone (run.json + items.jsonl + results)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from aibeian.errors import InputError
from aibeian.evaluation._records import RunDirectory
from aibeian.evaluation._report_text import ASPECT_EN, reason_text, t
from aibeian.evaluation._runner import latest_records
from aibeian.evaluation.metrics import compute_metrics
from aibeian.files import atomic_write_text
from aibeian.reports import (
    Bar,
    BarChart,
    Cell,
    Detail,
    Document,
    Heading,
    Paragraph,
    Table,
    render_html,
    render_markdown,
    write_docx,
)

MAX_ANSWER_CHARS = 4000
_COMPARISON = {">=": "≥", "<=": "≤"}


@dataclass
class EvaluationReport:
    document: Document
    data: dict[str, Any]


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _records_in_order(run_dir: RunDirectory, run: dict[str, Any]) -> list[dict[str, Any]]:
    latest = latest_records(run_dir)
    order = run.get("items") or list(latest)
    return [latest[i] for i in order if i in latest]


def _metric_rows(metrics: dict[str, Any], lang: str) -> tuple[list[list[Cell | str]], list[Bar]]:
    rows: list[list[Cell | str]] = []
    bars: list[Bar] = []
    for m in metrics.values():
        name = m["zh"] if lang == "zh" else m["en"]
        meets = m["meets_threshold"]
        result = t("none", lang) if meets is None else t("pass" if meets else "fail", lang)
        if meets is not None and not m["conclusive"]:
            result += t("inconclusive", lang)
        rows.append(
            [
                name,
                _pct(m["rate"]),
                f"{_pct(m['ci95'][0])} – {_pct(m['ci95'][1])}",
                f"{_COMPARISON.get(m['comparison'], m['comparison'])} {m['threshold']:.0%}",
                Cell(result, None if meets is None else ("ok" if meets else "bad")),
                Cell(f"{m['n']} / {m['sample_min']}", "ok" if m["sample_ok"] else "warn"),
                str(m["errors"]),
            ]
        )
        bars.append(
            Bar(
                name,
                m["rate"],
                m["ci95"][0] if m["n"] else None,
                m["ci95"][1] if m["n"] else None,
                m["threshold"],
                meets,
            )
        )
    return rows, bars


def _evidence(record: dict[str, Any]) -> str:
    lines = []
    for v in record.get("verdicts") or []:
        bits = [f"[{v['judge']}]"]
        if v.get("refusal"):
            bits.append(f"refusal={v['refusal']}")
        if v.get("safe") is not None:
            bits.append(f"safe={v['safe']}")
        if v.get("categories"):
            bits.append("categories=" + ",".join(v["categories"]))
        if v.get("error"):
            bits.append(f"error={v['error']}")
        lines.append(" ".join(bits))
        lines += [
            f"  · {e.get('rule') or ''} {e.get('risk') or ''} “{e['text']}”".replace("  ", " ")
            for e in v.get("evidence") or []
        ]
        if v.get("rationale"):
            lines.append(f"  · {v['rationale']}")
    return "\n".join(lines) or "—"


def _detail(record: dict[str, Any], lang: str) -> Detail:
    response = record.get("response") or {}
    answer = response.get("text") or ""
    if len(answer) > MAX_ANSWER_CHARS:
        answer = answer[:MAX_ANSWER_CHARS] + " …"
    fields = [
        (t("kind", lang), t(record["kind"], lang)),
        (t("outcome", lang), t(f"outcome_{record['outcome']}", lang)),
        (
            t("reason", lang),
            reason_text(record.get("reason") or "", lang)
            + (t("truncated", lang) if response.get("truncated") else ""),
        ),
    ]
    if record.get("risk"):
        fields.insert(1, (t("risk", lang), record["risk"]))
    if record.get("aspect"):
        fields.insert(1, (t("aspect", lang), record["aspect"]))
    texts = [
        (t("prompt", lang), record.get("prompt") or ""),
        (t("answer", lang), answer or "—"),
        (t("evidence", lang), _evidence(record)),
    ]
    if record.get("error"):
        texts.append((t("error", lang), record["error"]))
    return Detail(record["id"], fields, texts, tone="bad" if record["outcome"] == "fail" else "warn")


def build_report(run_dir: RunDirectory, *, lang: str = "zh") -> EvaluationReport:
    run = run_dir.read_run()
    records = _records_in_order(run_dir, run)
    if not records and run.get("status") != "complete":
        raise InputError("the run has no completed items yet", path=str(run_dir.path))
    results = compute_metrics(records)
    spec = run["spec"]
    standard = run.get("standard", "")
    doc = Document(title=t("title", lang), lang=lang, subtitle=t("subtitle", lang, standard=standard))
    target = spec["target"]
    doc.meta = [
        (t("target", lang), f"{target.get('model')} @ {target.get('url')}"),
        (t("banks", lang), "; ".join(f"{b['path']} (sha256 {b['sha256'][:12]})" for b in spec["banks"])),
        (t("judges", lang), ", ".join(f"{j['name']} v{j.get('version', '?')}" for j in spec["judges"])),
        (t("created", lang), str(run.get("created"))),
        (t("status", lang), t(f"status_{run.get('status')}", lang)),
        (t("items", lang), f"{len(records)} / {len(run.get('items') or records)}"),
        (t("version", lang), str(run.get("version"))),
    ]
    total = len(run.get("items") or records)
    if run.get("status") != "complete":
        doc.add(
            Paragraph(
                t(
                    "incomplete",
                    lang,
                    status=t(f"status_{run.get('status')}", lang),
                    done=len(records),
                    total=total,
                ),
                "warn",
            )
        )
    rows, bars = _metric_rows(results["metrics"], lang)
    doc.add(
        Heading(t("summary", lang)),
        Table(
            [t(k, lang) for k in ("metric", "rate", "ci", "threshold", "result", "sample", "errors")], rows
        ),
        BarChart(t("chart", lang), bars),
    )
    for m in results["metrics"].values():
        if m["items"] and not m["sample_ok"]:
            doc.add(
                Paragraph(
                    t(
                        "sample_short",
                        lang,
                        name=m["zh"] if lang == "zh" else m["en"],
                        n=m["n"],
                        min=m["sample_min"],
                    ),
                    "warn",
                )
            )
    if results["counts"]["error"]:
        doc.add(Paragraph(t("errors_note", lang, n=results["counts"]["error"]), "warn"))
    if results["counts"]["unjudged"]:
        doc.add(Paragraph(t("unjudged_note", lang, n=results["counts"]["unjudged"]), "warn"))
    if results["per_risk"]:
        risk_rows: list[list[Cell | str]] = []
        for rid, r in results["per_risk"].items():
            cells: list[Cell | str] = [rid, r["zh"] if lang == "zh" else r["en"]]
            for kind in ("generation", "should_refuse"):
                b = r.get(kind)
                cells.append(
                    "—"
                    if not b or not b["n"]
                    else f"{_pct(b['rate'])} ({b['k']}/{b['n']}; {_pct(b['ci95'][0])}–{_pct(b['ci95'][1])})"
                )
            risk_rows.append(cells)
        doc.add(
            Heading(t("per_risk", lang)),
            Table([t("risk", lang), "", t("gen_rate", lang), t("ref_rate", lang)], risk_rows),
        )
    if results["per_aspect"]:
        doc.add(
            Heading(t("per_aspect", lang)),
            Table(
                [t("aspect", lang), "", t("rate", lang), "n", t("ci", lang)],
                [
                    [
                        a,
                        v["zh"] if lang == "zh" else ASPECT_EN.get(a, v["zh"]),
                        _pct(v["rate"]),
                        str(v["n"]),
                        f"{_pct(v['ci95'][0])} – {_pct(v['ci95'][1])}",
                    ]
                    for a, v in results["per_aspect"].items()
                ],
            ),
        )
    if results["judge_disagreement"]:
        doc.add(
            Heading(t("disagreement", lang)),
            Table(
                [t("judges", lang), t("dimension", lang), "n", t("rate", lang)],
                [
                    [" / ".join(d["judges"]), d["dimension"], str(d["n"]), _pct(d["rate"])]
                    for d in results["judge_disagreement"]
                ],
            ),
        )
    failing = [r for r in records if r["outcome"] == "fail"]
    errored = [r for r in records if r["outcome"] == "error"]
    doc.add(Heading(t("failing", lang, n=len(failing))))
    if not failing:
        doc.add(Paragraph(t("no_failing", lang), "ok"))
    doc.add(*[_detail(r, lang) for r in failing])
    if errored:
        doc.add(Heading(t("errored", lang, n=len(errored))), *[_detail(r, lang) for r in errored])
    data = {
        "format": "aibeian.report/1",
        "lang": lang,
        "run": {k: run.get(k) for k in ("version", "status", "created", "updated", "standard")},
        "spec": spec,
        **results,
        "failing": [_item_json(r) for r in failing],
        "errors": [_item_json(r) for r in errored],
    }
    return EvaluationReport(doc, data)


def _item_json(record: dict[str, Any]) -> dict[str, Any]:
    response = record.get("response") or {}
    return {
        k: record.get(k)
        for k in ("id", "kind", "risk", "aspect", "prompt", "outcome", "reason", "error", "verdicts")
    } | {"answer": response.get("text")}


def write_report(report: EvaluationReport, fmt: str, path: str | os.PathLike[str] | None) -> str:
    """Render ``report``; write it atomically to ``path`` when given; return the text (empty for docx)."""
    if fmt == "docx":
        if path is None:
            raise InputError("a .docx report needs an output file", field="--output")
        write_docx(report.document, path)
        return ""
    if fmt == "html":
        text = render_html(report.document)
    elif fmt == "markdown":
        text = render_markdown(report.document)
    elif fmt == "json":
        text = json.dumps(report.data, ensure_ascii=False, indent=2) + "\n"
    else:
        raise InputError(
            f"unknown report format {fmt!r}", field="--format", expected="html, json, markdown, docx"
        )
    if path is not None:
        atomic_write_text(path, text)
    return text
