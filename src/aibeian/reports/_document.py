"""A report as data: headings, paragraphs, tables, charts and item details.

Evaluation, corpus and dossier reports build one of these; the renderers (HTML, Markdown, .docx) know nothing
about what a report is about, so a new report needs no new renderer and a new format serves every report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Tone = Literal["ok", "bad", "warn", "info"]


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Paragraph:
    text: str
    tone: Tone | None = None


@dataclass
class Cell:
    """A table cell; ``tone`` colours it (pass/fail) in formats that can."""

    text: str
    tone: Tone | None = None


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell | str]]
    caption: str | None = None


@dataclass
class Bar:
    """One bar of a rate chart: value and interval in [0, 1], the threshold it is held against."""

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    threshold: float | None = None
    ok: bool | None = None


@dataclass
class BarChart:
    title: str
    bars: list[Bar]


@dataclass
class Detail:
    """A titled record (a failing item): short fields, then long texts shown verbatim."""

    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)
    tone: Tone | None = None


Block = Heading | Paragraph | Table | BarChart | Detail


@dataclass
class Document:
    title: str
    lang: str = "zh"
    subtitle: str | None = None
    meta: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self
