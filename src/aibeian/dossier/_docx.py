"""Render a document template (data) with facts and run figures into a .docx: numbered headings, tables,
page numbers, and a CJK East-Asian font so Chinese renders in Word, WPS and LibreOffice alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from aibeian.dossier._facts import Facts
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
        kind = "evaluation" if block["run"] == "conclusion" else block["run"]
        rows = (
            _evaluation_rows([r for r in runs if r.kind == "evaluation"], lang)
            if kind == "evaluation"
            else []
        )
        if kind == "corpus":
            rows = [[str(k), _fmt(v, lang)] for r in runs if r.kind == "corpus" for k, v in r.metrics.items()]
        if not rows:
            doc.add_paragraph(_w("no_run", lang))
        elif kind == "evaluation":
            _table(
                doc, [_w(k, lang) for k in ("metric", "n", "rate", "ci", "threshold", "verdict", "run")], rows
            )
        else:
            _table(doc, [_w("metric", lang), _w("value", lang)], rows)


def render_document(
    template: dict[str, Any], facts: Facts, runs: list[RunSummary], lang: Lang, out: Path
) -> None:
    """Write one filing document. The caller writes into a temporary folder, so a failure leaves nothing."""
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
    for i, section in enumerate(template["sections"]):
        number = f"{ZH_NUMBERS[i]}、" if lang == "zh" and i < len(ZH_NUMBERS) else f"{i + 1}. "
        doc.add_heading(number + section["heading"][lang], level=1)
        for block in section.get("blocks", []):
            _block(doc, block, facts, runs, lang)
    doc.save(str(out))
