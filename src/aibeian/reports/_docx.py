"""Reports as .docx (python-docx), the format filing documents are exchanged in."""

from __future__ import annotations

import os
from typing import Any

from aibeian.errors import MissingDependencyError
from aibeian.files import atomic_output
from aibeian.reports._document import BarChart, Cell, Detail, Document, Heading, Paragraph, Table

_RGB = {
    "ok": (0x2E, 0x7D, 0x32),
    "bad": (0xC6, 0x28, 0x28),
    "warn": (0xE6, 0x51, 0x00),
    "info": (0x15, 0x65, 0xC0),
}


def _docx() -> Any:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a core dependency
        raise MissingDependencyError("python-docx", purpose=".docx reports") from exc
    return docx


def _colour(run: Any, tone: str | None) -> None:
    if tone in _RGB:
        from docx.shared import RGBColor

        run.font.color.rgb = RGBColor(*_RGB[tone])


def _table(d: Any, columns: list[str], rows: list[list[Cell | str]], caption: str | None) -> None:
    if caption:
        d.add_paragraph().add_run(caption).bold = True
    t = d.add_table(rows=1, cols=len(columns))
    t.style = "Table Grid"
    for i, c in enumerate(columns):
        t.rows[0].cells[i].text = c
    for row in rows:
        cells = t.add_row().cells
        for i, cell in enumerate(row):
            text, tone = (cell.text, cell.tone) if isinstance(cell, Cell) else (cell, None)
            _colour(cells[i].paragraphs[0].add_run(text), tone)


def write_docx(doc: Document, path: str | os.PathLike[str]) -> None:
    """Write ``doc`` atomically. Charts become tables of the same numbers (Word has no inline SVG)."""
    docx = _docx()
    d = docx.Document()
    d.add_heading(doc.title, level=0)
    if doc.subtitle:
        d.add_paragraph(doc.subtitle)
    if doc.meta:
        _table(d, ["", ""], [[k, v] for k, v in doc.meta], None)
    for block in doc.blocks:
        if isinstance(block, Heading):
            d.add_heading(block.text, level=min(max(block.level - 1, 1), 3))
        elif isinstance(block, Paragraph):
            _colour(d.add_paragraph().add_run(block.text), block.tone)
        elif isinstance(block, Table):
            _table(d, block.columns, block.rows, block.caption)
        elif isinstance(block, BarChart):
            rows: list[list[Cell | str]] = [
                [
                    b.label,
                    "—" if b.value is None else f"{b.value:.1%}",
                    "—" if b.low is None or b.high is None else f"{b.low:.1%} – {b.high:.1%}",
                    "—" if b.threshold is None else f"{b.threshold:.0%}",
                ]
                for b in block.bars
            ]
            _table(d, ["", "rate", "95% CI", "threshold"], rows, block.title)
        elif isinstance(block, Detail):
            d.add_heading(block.title, level=3)
            for k, v in block.fields:
                p = d.add_paragraph()
                p.add_run(f"{k}: ").bold = True
                p.add_run(v)
            for k, v in block.texts:
                d.add_paragraph().add_run(k).bold = True
                d.add_paragraph(v)
    with atomic_output(path, suffix=".docx") as tmp:
        d.save(str(tmp))
