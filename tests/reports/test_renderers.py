"""The generic renderers: escaping, self-containment, charts, and the same content in every format."""

from __future__ import annotations

from pathlib import Path

from aibeian.reports import (
    Bar,
    BarChart,
    Cell,
    Detail,
    Document,
    Heading,
    Paragraph,
    Table,
    bar_chart_svg,
    render_html,
    render_markdown,
    write_docx,
)


def sample() -> Document:
    return Document(title="报告 <标题>", meta=[("模型", "m & n")]).add(
        Heading("总体"),
        Paragraph("注意 <b>不是标签</b>", "warn"),
        Table(["a", "b|c"], [["1", Cell("未达标", "bad")]], caption="表"),
        BarChart("图", [Bar("拒答率", 0.9, 0.85, 0.94, 0.95, False), Bar("空", None)]),
        Detail("item-1", [("结果", "fail")], [("回答", "```代码```\n<script>alert(1)</script>")], "bad"),
    )


def test_html_escapes_user_text_and_is_self_contained() -> None:
    html = render_html(sample())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;不是标签&lt;/b&gt;" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") == 1 and 'lang="zh-CN"' in html


def test_svg_positions_follow_the_values() -> None:
    svg = bar_chart_svg(BarChart("t", [Bar("x", 0.5, 0.4, 0.6, 0.95, True)]), width=640)
    assert 'width="175.0"' in svg  # half of the 350-pixel plot
    assert "50.0%" in svg and "stroke-dasharray" in svg


def test_markdown_keeps_tables_intact_and_fences_answers() -> None:
    md = render_markdown(sample())
    assert "| a | b\\|c |" in md
    assert "❌ 未达标" in md
    assert "````text\n```代码```" in md
    assert "- 拒答率: 90.0% (95% CI 85.0%–94.0%)" in md and "- 空: n = 0" in md


def test_docx_has_the_same_content(tmp_path: Path) -> None:
    from docx import Document as Docx

    write_docx(sample(), tmp_path / "r.docx")
    d = Docx(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in d.paragraphs)
    cells = "\n".join(c.text for t in d.tables for row in t.rows for c in row.cells)
    assert "报告 <标题>" in text and "<script>alert(1)</script>" in text
    assert "未达标" in cells and "85.0% – 94.0%" in cells
    assert not list(tmp_path.glob(".r.docx.*")), "no temp file left behind"
