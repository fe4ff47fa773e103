"""Reports as Markdown, for review in a merge request or a wiki."""

from __future__ import annotations

from aibeian.reports._document import BarChart, Cell, Detail, Document, Heading, Paragraph, Table

_MARK = {"ok": "✅ ", "bad": "❌ ", "warn": "⚠️ ", "info": ""}


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _cell(c: Cell | str) -> str:
    if isinstance(c, Cell):
        return _MARK.get(c.tone or "info", "") + _esc(c.text)
    return _esc(c)


def _fence(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def render_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", ""]
    if doc.subtitle:
        out += [doc.subtitle, ""]
    if doc.meta:
        out += ["| | |", "|---|---|", *[f"| {_esc(k)} | {_esc(v)} |" for k, v in doc.meta], ""]
    for block in doc.blocks:
        if isinstance(block, Heading):
            out += ["#" * min(max(block.level, 2), 4) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [_MARK.get(block.tone or "info", "") + block.text, ""]
        elif isinstance(block, Table):
            if block.caption:
                out += [f"**{block.caption}**", ""]
            out += [
                "| " + " | ".join(_esc(c) for c in block.columns) + " |",
                "|" + "---|" * len(block.columns),
            ]
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            out.append("")
        elif isinstance(block, BarChart):
            out += [f"**{block.title}**", ""]
            for b in block.bars:
                value = "n = 0" if b.value is None else f"{b.value:.1%}"
                ci = f" (95% CI {b.low:.1%}–{b.high:.1%})" if b.low is not None and b.high is not None else ""
                out.append(f"- {b.label}: {value}{ci}")
            out.append("")
        elif isinstance(block, Detail):
            out += [f"#### {_MARK.get(block.tone or 'info', '')}{block.title}", ""]
            out += [f"- **{k}**: {_esc(v)}" for k, v in block.fields]
            for k, v in block.texts:
                out += ["", f"**{k}**", "", _fence(v)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"
