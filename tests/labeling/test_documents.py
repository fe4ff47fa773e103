"""Text, Markdown, PDF and DOCX: notices a reader sees, and metadata read back by pypdf, python-docx's
package, exiftool and pdftotext (readers we did not write)."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader
from tests.labeling.conftest import META, exiftool, exiftool_write
from tests.labeling.test_fields import LONGEST_ASCII, LONGEST_ZH

from aibeian.errors import InputError
from aibeian.labeling import ApplyOptions, apply, propagate, verify


def test_txt_notice_and_plain_statement_on_metadata(tmp_path: Path) -> None:
    src = tmp_path / "a.txt"
    src.write_text("第一行\n第二行\n", encoding="utf-8")
    out = apply(src, META, options=ApplyOptions(position="end")).output
    assert out.read_text(encoding="utf-8").rstrip().endswith("人工智能生成")
    report = verify(out)
    assert report.compliant and report.explicit.details["where"] == "end"
    assert not report.implicit.present and "cannot be embedded" in report.implicit.note
    unlabelled = verify(src)
    assert not unlabelled.compliant and unlabelled.problems[0].startswith("explicit")


def test_txt_in_gbk_is_refused_with_hint(tmp_path: Path) -> None:
    src = tmp_path / "gbk.txt"
    src.write_bytes("中文内容".encode("gb18030"))
    with pytest.raises(InputError, match="GB18030"):
        apply(src, META)


def test_markdown_front_matter_keeps_other_keys(tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text("---\ntitle: 标题\ntags: [a, b]\n---\n# 正文\n", encoding="utf-8")
    out = apply(src, META).output
    text = out.read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == "标题" and front["tags"] == ["a", "b"]
    assert front["AIGC"] == META.as_dict()
    assert verify(out).compliant
    prop = propagate(out, "平台", "p-1").output
    front2 = yaml.safe_load(prop.read_text(encoding="utf-8").split("---\n")[1])
    assert front2["AIGC"]["ContentPropagator"] == "平台" and front2["AIGC"]["ProduceID"] == META.ProduceID
    assert list(front2) == ["title", "tags", "AIGC"], "exactly one AIGC mapping"


def test_markdown_without_front_matter_gets_one(tmp_path: Path) -> None:
    src = tmp_path / "b.md"
    src.write_text("# 只有正文\n", encoding="utf-8")
    out = apply(src, META).output
    assert out.read_text(encoding="utf-8").startswith("---\nAIGC:\n")
    assert verify(out).compliant


def test_markdown_with_broken_front_matter_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "c.md"
    src.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML"):
        apply(src, META)


def test_pdf_info_and_notice(make_pdf: Callable[..., Path]) -> None:
    out = apply(make_pdf(), META).output
    reader = PdfReader(out)
    assert json.loads(str(reader.metadata["/AIGC"])) == META.as_dict()
    assert "人工智能生成" in reader.pages[0].extract_text()
    assert json.loads(str(exiftool(out)[0]["PDF:AIGC"])) == META.as_dict()
    assert verify(out).compliant


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_notice_read_by_poppler(make_pdf: Callable[..., Path]) -> None:
    out = apply(make_pdf(), META, options=ApplyOptions(position="bottom")).output
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "人工智能生成" in text


def test_pdf_labelled_by_exiftool_verifies(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf()
    exiftool_write(path, "PDF:AIGC", replace(META, Label="3").to_json())
    report = verify(path, check_explicit=False)
    assert report.compliant and report.implicit.fields["Label"].value == "3"
    assert not verify(path).compliant, "no visible notice on the page"


def test_truncated_pdf(make_pdf: Callable[..., Path]) -> None:
    path = make_pdf()
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(InputError, match="PDF"):
        apply(path, META)


def test_docx_custom_property_and_notice(make_docx: Callable[..., Path]) -> None:
    out = apply(make_docx(), META).output
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "人工智能生成"
    assert d.core_properties.title == "测试文档", "core properties survive"
    with zipfile.ZipFile(out) as z:
        custom = z.read("docProps/custom.xml").decode()
        assert 'name="AIGC"' in custom and "vt:lpwstr" in custom
        assert "docProps/custom.xml" in z.read("_rels/.rels").decode()
        assert "/docProps/custom.xml" in z.read("[Content_Types].xml").decode()
    assert json.loads(str(exiftool(out)[0]["XML:AIGC"])) == META.as_dict()
    assert verify(out).compliant
    prop = propagate(out, "平台", "p-2").output
    with zipfile.ZipFile(prop) as z:
        assert z.read("docProps/custom.xml").decode().count('name="AIGC"') == 1


def test_docx_notice_at_end(make_docx: Callable[..., Path]) -> None:
    out = apply(make_docx(), META, options=ApplyOptions(position="end")).output
    assert docx.Document(str(out)).paragraphs[-1].text == "人工智能生成"
    assert verify(out).explicit.details["where"] == "end"


def test_corrupt_docx(tmp_path: Path) -> None:
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="docx"):
        verify(path)


@pytest.mark.parametrize("kind", ["md", "pdf", "docx"])
@pytest.mark.parametrize("which", ["zh", "ascii"])
def test_longest_values_round_trip_in_documents(
    kind: str, which: str, tmp_path: Path, make_pdf: Callable[..., Path], make_docx: Callable[..., Path]
) -> None:
    meta = LONGEST_ZH if which == "zh" else LONGEST_ASCII
    if kind == "md":
        src = tmp_path / "x.md"
        src.write_text("正文\n", encoding="utf-8")
    else:
        src = make_pdf() if kind == "pdf" else make_docx()
    out = apply(src, meta).output
    report = verify(out)
    assert report.compliant, report.problems
    assert report.implicit.meta == meta
