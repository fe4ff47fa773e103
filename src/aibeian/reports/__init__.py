"""Report renderers shared by evaluation, corpus and dossier reports: a Document of blocks rendered to
self-contained HTML (inline SVG charts), Markdown or .docx. Text is supplied by the caller, zh-CN first."""

from aibeian.reports._document import (
    Bar,
    BarChart,
    Block,
    Cell,
    Detail,
    Document,
    Heading,
    Paragraph,
    Table,
    Tone,
)
from aibeian.reports._docx import write_docx
from aibeian.reports._html import render_html
from aibeian.reports._markdown import render_markdown
from aibeian.reports._svg import bar_chart_svg

__all__ = [
    "Bar",
    "BarChart",
    "Block",
    "Cell",
    "Detail",
    "Document",
    "Heading",
    "Paragraph",
    "Table",
    "Tone",
    "bar_chart_svg",
    "render_html",
    "render_markdown",
    "write_docx",
]
