"""Render a document template (data) with facts and run figures into a .docx: numbered headings, tables,
page numbers, and a CJK East-Asian font so Chinese renders in Word, WPS and LibreOffice alike."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from aibeian.dossier._checklist import Evidence
from aibeian.dossier._facts import Facts
from aibeian.dossier._feeds import feeds_section, feeds_whole_document
from aibeian.dossier._figures import (
    EVALUATION_HEADER,
    SOURCE_HEADER,
    corpus_conclusion,
    corpus_overview,
    corpus_source_rows,
    evaluation_rows,
    spot_check_rows,
)
from aibeian.dossier._runs import RunSummary
from aibeian.dossier._schema import field_def
from aibeian.dossier._words import Lang
from aibeian.dossier._words import word as _w
from aibeian.standards import load_standards

CJK_FONT = "Noto Serif CJK SC"
LATIN_FONT = "Times New Roman"
ZH_NUMBERS = "一二三四五六七八九十"
TRAILING_NOTE = re.compile(r"（[^（）]*）$")
PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)*)\}")


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


def set_fonts(doc: Document) -> None:
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


def page_numbers(doc: Document) -> None:
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


def table(doc: Document, header: list[str], rows: list[list[str]]) -> None:
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = doc.styles["Table Grid"]
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _block(doc: Document, block: dict[str, Any], facts: Facts, runs: list[RunSummary], lang: Lang) -> None:
    if "p" in block:
        doc.add_paragraph(fill(block["p"][lang], facts, lang))
    elif "facts" in block:
        rows = []
        for path in block["facts"]:
            f = field_def(path)
            label = TRAILING_NOTE.sub("", f.zh) if lang == "zh" else f.en
            rows.append([label, fill("{" + path + "}", facts, lang)])
        table(doc, [_w("field", lang), _w("value", lang)], rows)
    elif "table" in block:
        f = field_def(block["table"])
        rows = [[_fmt(r.get(c, ""), lang) for c in f.columns] for r in (facts.get(f.path) or [])]
        if rows:
            table(doc, list(f.columns_zh if lang == "zh" and f.columns_zh else f.columns), rows)
        else:
            doc.add_paragraph(_w("todo", lang).format(f.path))
    elif "risks" in block:
        risks = load_standards().risks
        chosen = [r for r in risks if block["risks"] == "all" or r.keyword_scope]
        table(doc, ["id", _w("risk", lang)], [[r.id, r.zh if lang == "zh" else r.en] for r in chosen])
    elif "run" in block:
        _run_block(doc, block["run"], runs, lang)


def _corpus(doc: Document, run: RunSummary, lang: Lang) -> None:
    doc.add_paragraph(corpus_overview(run, lang))
    table(doc, [_w(k, lang) for k in SOURCE_HEADER], corpus_source_rows(run, lang))
    table(doc, [_w(k, lang) for k in EVALUATION_HEADER], spot_check_rows([run], lang))
    doc.add_paragraph(corpus_conclusion(run, lang))


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
    rows = evaluation_rows([r for r in runs if r.kind == "evaluation"], lang)
    if kind == "conclusion":
        rows += spot_check_rows(runs, lang)
    if not rows:
        doc.add_paragraph(_w("no_run", lang))
    else:
        table(doc, [_w(k, lang) for k in EVALUATION_HEADER], rows)


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


def evidence_table(doc: Document, cited: list[Evidence], lang: Lang) -> None:
    table(
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
    set_fonts(doc)
    page_numbers(doc)
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
        heading(doc, i, section["heading"][lang], lang)
        for block in section.get("blocks", []):
            _block(doc, block, facts, runs, lang)
        cited = [
            e
            for e in evidence
            if e.id not in cited_ids and feeds_section(e.feeds, doc_id, section, documents)
        ]
        if cited:
            doc.add_paragraph(_w("evidence_intro", lang))
            evidence_table(doc, cited, lang)
            cited_ids.update(e.id for e in cited)
    rest = [e for e in whole if e.id not in cited_ids]
    if rest:
        heading(doc, len(sections), _w("evidence_section", lang), lang)
        evidence_table(doc, rest, lang)
    doc.save(str(out))


def heading(doc: Document, i: int, text: str, lang: Lang) -> None:
    number = f"{ZH_NUMBERS[i]}、" if lang == "zh" and i < len(ZH_NUMBERS) else f"{i + 1}. "
    doc.add_heading(number + text, level=1)
