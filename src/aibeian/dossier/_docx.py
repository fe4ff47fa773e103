"""Render a document template (data) with facts and run figures into a .docx: numbered headings, tables,
page numbers, and a CJK East-Asian font so Chinese renders in Word, WPS and LibreOffice alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from aibeian.dossier._checklist import Evidence
from aibeian.dossier._facts import Facts
from aibeian.dossier._feeds import feeds_section, feeds_whole_document
from aibeian.dossier._runs import EVALUATION_METRICS, RunSummary
from aibeian.dossier._schema import field_def
from aibeian.standards import load_standards

Lang = Literal["zh", "en"]
CJK_FONT = "Noto Serif CJK SC"
LATIN_FONT = "Times New Roman"
ZH_NUMBERS = "一二三四五六七八九十"
TRAILING_NOTE = re.compile(r"（[^（）]*）$")
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")
WORDS: dict[str, dict[Lang, str]] = {
    "todo": {"zh": "【待填写：{}】", "en": "[TO FILL: {}]"},
    "field": {"zh": "项目", "en": "Item"},
    "value": {"zh": "内容", "en": "Value"},
    "metric": {"zh": "指标", "en": "Metric"},
    "n": {"zh": "样本数", "en": "n"},
    "rate": {"zh": "结果", "en": "Result"},
    "ci": {"zh": "95%置信区间", "en": "95 % interval"},
    "threshold": {"zh": "要求", "en": "Requirement"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "run": {"zh": "运行编号", "en": "Run id"},
    "pass": {"zh": "符合", "en": "conforms"},
    "fail": {"zh": "不符合", "en": "does not conform"},
    "no_run": {"zh": "（未提供评估运行记录）", "en": "(no run record given)"},
    "translation": {
        "zh": "",
        "en": "English draft — a translation aid only; the filing is made in simplified Chinese.",
    },
    "risk": {"zh": "风险类别", "en": "Risk"},
    "incomplete": {"zh": "未完成", "en": "incomplete"},
    "uncertain": {"zh": "待定", "en": "uncertain"},
    "not_sampled": {"zh": "未抽检", "en": "not sampled"},
    "source": {"zh": "来源", "en": "Source"},
    "items": {"zh": "条目数", "en": "Items"},
    "sampled": {"zh": "抽检数", "en": "Sampled"},
    "flagged": {"zh": "不合格数", "en": "Flagged"},
    "flagged_rate": {"zh": "不合格比例", "en": "Flagged rate"},
    "technical": {
        "zh": "技术抽检合格率（抽检比例{fraction}，要求不低于{min_fraction}）",
        "en": "Technical sample qualified rate (sampled {fraction}, at least {min_fraction} required)",
    },
    "manual": {
        "zh": "人工抽检合格率（已审核{reviewed}条，要求不少于{min_items}条）",
        "en": "Manual sample qualified rate ({reviewed} reviewed, at least {min_items} required)",
    },
    "corpus_overview": {
        "zh": "语料安全评估运行{run}：共{items}条、{chars}字符，{sources}个来源；关键词库{keywords}个关键词（版本散列{hash}）；抽样种子{seed}。",
        "en": "Corpus assessment run {run}: {items} items, {chars} characters, {sources} sources; keyword library of {keywords} keywords (hash {hash}); sampling seed {seed}.",
    },
    "corpus_conclusion": {
        "zh": "语料安全评估结论（运行{run}）：{status}。",
        "en": "Corpus assessment conclusion (run {run}): {status}.",
    },
    "evidence_intro": {
        "zh": "落实情况及佐证材料（合规清单）：",
        "en": "How this is met, with evidence (compliance checklist):",
    },
    "evidence_section": {"zh": "合规清单落实情况及佐证材料", "en": "Compliance checklist: evidence"},
    "item": {"zh": "清单项", "en": "Item"},
    "duty": {"zh": "要求", "en": "Duty"},
    "basis": {"zh": "依据", "en": "Basis"},
    "evidence": {"zh": "佐证材料", "en": "Evidence"},
    "note": {"zh": "说明", "en": "Note"},
}


def _w(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def _fmt(value: Any, lang: Lang) -> str:
    if isinstance(value, list):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_fmt(v, lang) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def fill(text: str, facts: Facts, lang: Lang) -> str:
    """Replace ``{path}`` with the fact's value, or a visible to-fill marker when it is empty."""

    def sub(m: re.Match[str]) -> str:
        path = m.group(1)
        if facts.is_empty(path):
            return _w("todo", lang).format(path)
        return _fmt(facts.get(path), lang)

    return PLACEHOLDER.sub(sub, text)


def _set_fonts(doc: Document) -> None:
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = doc.styles[style_name]
        font = style.font
        font.name = LATIN_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), CJK_FONT)
        fonts.set(qn("w:ascii"), LATIN_FONT)
        fonts.set(qn("w:hAnsi"), LATIN_FONT)
    doc.styles["Normal"].font.size = Pt(11)


def _page_numbers(doc: Document) -> None:
    paragraph = doc.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    for tag, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _pct(x: Any) -> str:
    return "—" if x is None else f"{float(x) * 100:.1f}%"


def _evaluation_rows(runs: list[RunSummary], lang: Lang) -> list[list[str]]:
    rows = []
    for run in runs:
        for name in EVALUATION_METRICS:
            b = run.metrics.get(name)
            if not b:
                continue
            ci = b.get("ci95") or [None, None]
            verdict = _w("pass" if b.get("meets_threshold") and b.get("sample_ok", True) else "fail", lang)
            rows.append(
                [
                    str(b.get(lang) or name),
                    str(b.get("n")),
                    _pct(b.get("rate")),
                    f"{_pct(ci[0])}–{_pct(ci[1])}",
                    f"{b.get('comparison') or ''} {_pct(b.get('threshold'))}",
                    verdict,
                    run.run_id,
                ]
            )
    return rows


def _block(doc: Document, block: dict[str, Any], facts: Facts, runs: list[RunSummary], lang: Lang) -> None:
    if "p" in block:
        doc.add_paragraph(fill(block["p"][lang], facts, lang))
    elif "facts" in block:
        rows = []
        for path in block["facts"]:
            f = field_def(path)
            label = TRAILING_NOTE.sub("", f.zh) if lang == "zh" else f.en
            rows.append([label, fill("{" + path + "}", facts, lang)])
        _table(doc, [_w("field", lang), _w("value", lang)], rows)
    elif "table" in block:
        f = field_def(block["table"])
        rows = [[_fmt(r.get(c, ""), lang) for c in f.columns] for r in (facts.get(f.path) or [])]
        if rows:
            _table(doc, list(f.columns_zh if lang == "zh" and f.columns_zh else f.columns), rows)
        else:
            doc.add_paragraph(_w("todo", lang).format(f.path))
    elif "risks" in block:
        risks = load_standards().risks
        chosen = [r for r in risks if block["risks"] == "all" or r.keyword_scope]
        _table(doc, ["id", _w("risk", lang)], [[r.id, r.zh if lang == "zh" else r.en] for r in chosen])
    elif "run" in block:
        _run_block(doc, block["run"], runs, lang)


def _verdict(ok: bool | None, lang: Lang) -> str:
    return _w("incomplete" if ok is None else "pass" if ok else "fail", lang)


def _spot_check_rows(runs: list[RunSummary], lang: Lang) -> list[list[str]]:
    """The corpus run's technical and manual spot checks, in the evaluation table's columns."""
    rows = []
    for run in runs:
        if run.kind != "corpus":
            continue
        tech, manual = run.metrics["technical"], run.metrics["manual"]
        rows.append(
            [
                _w("technical", lang).format(
                    fraction=_pct(tech["fraction"]), min_fraction=_pct(tech["min_fraction"])
                ),
                str(tech["sampled"]),
                _pct(tech["rate"]),
                f"{_pct(tech['interval'][0])}–{_pct(tech['interval'][1])}",
                f">= {_pct(tech['min_pass_rate'])}",
                _verdict(bool(tech["pass"]), lang),
                run.run_id,
            ]
        )
        rows.append(
            [
                _w("manual", lang).format(reviewed=manual["reviewed"], min_items=manual["min_items"]),
                str(manual["reviewed"]),
                _pct(manual["rate"]),
                f"{_pct(manual['interval'][0])}–{_pct(manual['interval'][1])}" if manual["reviewed"] else "—",
                f">= {_pct(manual['min_pass_rate'])}",
                _verdict(bool(manual["pass"]) if manual["complete"] else None, lang),
                run.run_id,
            ]
        )
    return rows


def _corpus(doc: Document, run: RunSummary, lang: Lang) -> None:
    report = run.report
    library = report["run"].get("library") or {}
    doc.add_paragraph(
        _w("corpus_overview", lang).format(
            run=run.run_id,
            items=report["corpus"]["items"],
            chars=report["corpus"]["chars"],
            sources=len(report["sources"]),
            keywords=library.get("keywords", "—"),
            hash=str(library.get("hash", "—"))[:12],
            seed=report["run"]["seed"],
        )
    )
    rows = []
    for s in report["sources"]:
        low, high = s["interval"]
        status = s["status"]
        verdict = _w({"pass": "pass", "fail": "fail"}.get(status, status), lang)
        rows.append(
            [
                str(s.get("name") or s["id"]),
                str(s["items"]),
                str(s["sampled"]),
                str(s["flagged"]),
                _pct(s["flagged_rate"]),
                f"{_pct(low)}–{_pct(high)}",
                f"<= {_pct(s['limit'])}",
                verdict,
                run.run_id,
            ]
        )
    header = ["source", "items", "sampled", "flagged", "flagged_rate", "ci", "threshold", "verdict", "run"]
    _table(doc, [_w(k, lang) for k in header], rows)
    _table(doc, [_w(k, lang) for k in EVALUATION_HEADER], _spot_check_rows([run], lang))
    status = report["conclusion"]["status"]
    doc.add_paragraph(_w("corpus_conclusion", lang).format(run=run.run_id, status=_w(status, lang)))


EVALUATION_HEADER = ("metric", "n", "rate", "ci", "threshold", "verdict", "run")


def _run_block(doc: Document, kind: str, runs: list[RunSummary], lang: Lang) -> None:
    """``evaluation``: the three filing rates; ``corpus``: per-source screening and both spot checks;
    ``conclusion``: every rate and spot check against its requirement, each with its run id."""
    if kind == "corpus":
        corpus = [r for r in runs if r.kind == "corpus"]
        if not corpus:
            doc.add_paragraph(_w("no_run", lang))
        for run in corpus:
            _corpus(doc, run, lang)
        return
    rows = _evaluation_rows([r for r in runs if r.kind == "evaluation"], lang)
    if kind == "conclusion":
        rows += _spot_check_rows(runs, lang)
    if not rows:
        doc.add_paragraph(_w("no_run", lang))
    else:
        _table(doc, [_w(k, lang) for k in EVALUATION_HEADER], rows)


def _evidence_rows(cited: list[Evidence], lang: Lang) -> list[list[str]]:
    rows = []
    for e in cited:
        files = "\n".join(
            name
            if not digest  # a folder of evidence: named, not hashed
            else f"{name}（SHA-256 {digest[:12]}）"
            if lang == "zh"
            else f"{name} (SHA-256 {digest[:12]})"
            for name, digest in zip(e.files, e.sha256, strict=True)
        )
        rows.append([e.id, e.text, e.article, files, e.note or ""])
    return rows


def _evidence_table(doc: Document, cited: list[Evidence], lang: Lang) -> None:
    _table(
        doc, [_w(k, lang) for k in ("item", "duty", "basis", "evidence", "note")], _evidence_rows(cited, lang)
    )


def render_document(
    template: dict[str, Any],
    facts: Facts,
    runs: list[RunSummary],
    lang: Lang,
    out: Path,
    *,
    doc_id: str = "",
    evidence: Sequence[Evidence] = (),
) -> None:
    """Write one filing document. The caller writes into a temporary folder, so a failure leaves nothing.

    Checklist items answered ``yes`` with evidence are cited in each section they feed (by the fields the
    section prints, or its section id); items naming the whole document get a closing section."""
    doc = docx.Document()
    _set_fonts(doc)
    _page_numbers(doc)
    title = fill(template["title"][lang], facts, lang)
    doc.core_properties.title = title
    doc.core_properties.author = str(facts.get("company.name") or "aibeian")
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en"
    if lang == "en":
        doc.add_paragraph(_w("translation", lang)).runs[0].italic = True
    doc.add_heading(title, level=0)
    documents = facts.documents
    cited_ids: set[str] = set()
    sections = list(template["sections"])
    whole = [e for e in evidence if feeds_whole_document(e.feeds, doc_id)]
    for i, section in enumerate(sections):
        _heading(doc, i, section["heading"][lang], lang)
        for block in section.get("blocks", []):
            _block(doc, block, facts, runs, lang)
        cited = [
            e
            for e in evidence
            if e.id not in cited_ids and feeds_section(e.feeds, doc_id, section, documents)
        ]
        if cited:
            doc.add_paragraph(_w("evidence_intro", lang))
            _evidence_table(doc, cited, lang)
            cited_ids.update(e.id for e in cited)
    rest = [e for e in whole if e.id not in cited_ids]
    if rest:
        _heading(doc, len(sections), _w("evidence_section", lang), lang)
        _evidence_table(doc, rest, lang)
    doc.save(str(out))


def _heading(doc: Document, i: int, text: str, lang: Lang) -> None:
    number = f"{ZH_NUMBERS[i]}、" if lang == "zh" and i < len(ZH_NUMBERS) else f"{i + 1}. "
    doc.add_heading(number + text, level=1)
