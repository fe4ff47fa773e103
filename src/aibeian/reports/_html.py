"""One self-contained HTML file per report: CSS inline, charts as inline SVG, nothing fetched."""

from __future__ import annotations

from html import escape

from aibeian.reports._document import BarChart, Cell, Detail, Document, Heading, Paragraph, Table
from aibeian.reports._svg import bar_chart_svg

_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;border-bottom:2px solid #333;padding-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.8em 0;width:100%}th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;
vertical-align:top}th{background:#f3f3f3}caption{text-align:left;font-weight:bold;margin-bottom:.3em}
.ok{color:#2e7d32;font-weight:bold}.bad{color:#c62828;font-weight:bold}.warn{color:#e65100}.info{color:#1565c0}
.meta td:first-child{width:14em;color:#555}details{border:1px solid #ddd;margin:.5em 0;padding:.4em .8em}
details.bad{border-left:4px solid #c62828}details.warn{border-left:4px solid #e65100}
summary{cursor:pointer;font-weight:bold}pre{white-space:pre-wrap;background:#fafafa;border:1px solid #eee;padding:.5em;
margin:.3em 0}dt{color:#555;font-size:.9em}
@media print{details{break-inside:avoid}details>*{display:block}}
"""


def _cls(tone: str | None) -> str:
    return f' class="{tone}"' if tone else ""


def _cell(cell: Cell | str, tag: str = "td") -> str:
    if isinstance(cell, Cell):
        return f"<{tag}{_cls(cell.tone)}>{escape(cell.text)}</{tag}>"
    return f"<{tag}>{escape(cell)}</{tag}>"


def _table(t: Table) -> str:
    caption = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    head = "".join(f"<th>{escape(c)}</th>" for c in t.columns)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in t.rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _detail(d: Detail) -> str:
    fields = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in d.fields)
    texts = "".join(f"<dt>{escape(k)}</dt><dd><pre>{escape(v)}</pre></dd>" for k, v in d.texts)
    return (
        f"<details{_cls(d.tone)} open><summary>{escape(d.title)}</summary><dl>{fields}{texts}</dl></details>"
    )


def render_html(doc: Document) -> str:
    body: list[str] = [f"<h1>{escape(doc.title)}</h1>"]
    if doc.subtitle:
        body.append(f"<p>{escape(doc.subtitle)}</p>")
    if doc.meta:
        rows = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in doc.meta)
        body.append(f'<table class="meta"><tbody>{rows}</tbody></table>')
    for block in doc.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 2), 4)
            body.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p{_cls(block.tone)}>{escape(block.text)}</p>")
        elif isinstance(block, Table):
            body.append(_table(block))
        elif isinstance(block, BarChart):
            body.append(f"<figure>{bar_chart_svg(block)}</figure>")
        elif isinstance(block, Detail):
            body.append(_detail(block))
    lang = "zh-CN" if doc.lang == "zh" else doc.lang
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(doc.title)}</title><style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )
