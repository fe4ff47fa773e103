"""Lay the report blocks out as JSON, Markdown, self-contained HTML or .docx (zh by default, en available)."""

from __future__ import annotations

import html
import json
import os
from typing import Any

from aibeian.corpus._document import Block, build_blocks
from aibeian.errors import InputError
from aibeian.files import atomic_output

__all__ = ["FORMATS", "render", "write_report"]

FORMATS = ("html", "json", "markdown", "docx")

_CSS = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:1100px;margin:2em auto;
color:#222;line-height:1.5}table{border-collapse:collapse;margin:.6em 0 1.2em;width:100%}
th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top;font-size:.92em}
th{background:#f1f1f1}h1{font-size:1.5em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}.incomplete{color:#b26a00;font-weight:bold}"""


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.kind == "h1":
            out.append(f"# {b.text}\n")
        elif b.kind == "h2":
            out.append(f"## {b.text}\n")
        elif b.kind == "p":
            out.append(f"**{b.text}**\n" if b.tone else f"{b.text}\n")
        elif b.kind == "list":
            out.append("\n".join(f"- {i}" for i in b.items) + "\n")
        else:
            lines = [
                "| " + " | ".join(_md_cell(h) for h in b.header) + " |",
                "|" + "|".join(" --- " for _ in b.header) + "|",
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in b.rows]
            out.append("\n".join(lines) + "\n")
    return "\n".join(out)


def to_html(blocks: list[Block], lang: str) -> str:
    esc = html.escape
    body: list[str] = []
    for b in blocks:
        if b.kind in ("h1", "h2"):
            body.append(f"<{b.kind}>{esc(b.text)}</{b.kind}>")
        elif b.kind == "p":
            body.append(f'<p class="{b.tone}">{esc(b.text)}</p>' if b.tone else f"<p>{esc(b.text)}</p>")
        elif b.kind == "list":
            body.append("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in b.items) + "</ul>")
        else:
            head = "".join(f"<th>{esc(h)}</th>" for h in b.header)
            rows = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in b.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    title = esc(blocks[0].text)
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render(report: dict[str, Any], fmt: str, lang: str = "zh") -> str:
    """The report as text (every format but docx)."""
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    blocks = build_blocks(report, lang)
    if fmt == "markdown":
        return to_markdown(blocks)
    if fmt == "html":
        return to_html(blocks, lang)
    raise InputError(f"unknown report format {fmt!r}", field="--format", expected=", ".join(FORMATS))


def write_report(report: dict[str, Any], fmt: str, out: str | os.PathLike[str], lang: str = "zh") -> None:
    if fmt == "docx":
        from aibeian.corpus._docx import write_docx

        write_docx(build_blocks(report, lang), out)
        return
    with atomic_output(out) as tmp:
        tmp.write_text(render(report, fmt, lang), encoding="utf-8")
