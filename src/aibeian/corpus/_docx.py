"""The report as a Word document in simplified Chinese, ready to paste into the security self-assessment."""

from __future__ import annotations

import os

from aibeian.corpus._document import Block
from aibeian.files import atomic_output

__all__ = ["write_docx"]

_TONE = {"pass": (0x1A, 0x7F, 0x37), "fail": (0xC6, 0x28, 0x28), "incomplete": (0xB2, 0x6A, 0x00)}


def write_docx(blocks: list[Block], out: str | os.PathLike[str]) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # the per-source table is wide
    section.page_width, section.page_height = section.page_height, section.page_width
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    for b in blocks:
        if b.kind == "h1":
            doc.add_heading(b.text, level=0)
        elif b.kind == "h2":
            doc.add_heading(b.text, level=1)
        elif b.kind == "p":
            run = doc.add_paragraph().add_run(b.text)
            if b.tone in _TONE:
                run.bold = True
                run.font.color.rgb = RGBColor(*_TONE[b.tone])
        elif b.kind == "list":
            for item in b.items:
                doc.add_paragraph(item, style="List Bullet")
        else:
            table = doc.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, b.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in b.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
            doc.add_paragraph()
    with atomic_output(out, suffix=".docx") as tmp:
        doc.save(str(tmp))
