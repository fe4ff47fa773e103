"""Every report format says the same thing, from the run directory alone, in Chinese and in English."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from aibeian.cli.main import cli
from aibeian.corpus import assess


def test_formats(make_corpus: Callable[..., dict[str, Path]], tmp_path: Path) -> None:
    paths = make_corpus(news=40, forum=40, parquet=40, books=2)
    out = tmp_path / "run"
    report = assess([str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out)
    runner = CliRunner()
    as_json = json.loads(runner.invoke(cli, ["corpus", "report", str(out), "--format", "json"]).output)
    assert as_json == report
    md = runner.invoke(cli, ["corpus", "report", str(out), "--format", "markdown"]).output
    assert "## 逐来源评估结果" in md and "| news |" in md and "newsroom 2024" in md and "不通过" in md
    md_en = runner.invoke(cli, ["corpus", "report", str(out), "--format", "markdown", "--lang", "en"]).output
    assert "## Per-source results" in md_en and "fail" in md_en
    result = runner.invoke(
        cli, ["corpus", "report", str(out), "--format", "html", "--out", str(tmp_path / "r.html")]
    )
    assert result.exit_code == 0
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")  # self-contained
    assert "逐来源评估结果" in page
    result = runner.invoke(
        cli, ["corpus", "report", str(out), "--format", "docx", "--out", str(tmp_path / "r.docx")]
    )
    assert result.exit_code == 0
    doc = Document(str(tmp_path / "r.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "总体结论：不通过" in text and "news" in cells and "public domain" in cells
    result = runner.invoke(cli, ["corpus", "report", str(out), "--format", "docx"])
    assert result.exit_code == 2 and "--out" in result.output + result.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are installed by .ci/run",
)
def test_docx_renders_with_libreoffice(make_corpus: Callable[..., dict[str, Path]], tmp_path: Path) -> None:
    """A reader we did not write: LibreOffice turns the .docx into a PDF whose text has our figures."""
    paths = make_corpus(news=40, forum=40, parquet=40, books=2)
    out = tmp_path / "run"
    report = assess([str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out)
    CliRunner().invoke(
        cli, ["corpus", "report", str(out), "--format", "docx", "--out", str(tmp_path / "r.docx")]
    )
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(tmp_path / "r.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "pdf" / "r.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "训练语料安全评估" in text and "逐来源评估结果" in text
    assert f"{report['corpus']['items']:,}" in text and "newsroom 2024" in text
