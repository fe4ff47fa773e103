"""Dossier: init from triage, check, build, package, verify — through the CLI with real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document
from openpyxl import load_workbook

from aibeian.banks import example_bank_path
from aibeian.cli.main import cli

from .conftest import EXAMPLES, REPO


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def triage_json(tmp_path: Path, example: str) -> Path:
    out = tmp_path / "triage.json"
    result = run("triage", str(REPO / "examples" / "triage" / example), "--format", "json")
    out.write_text(result.output, encoding="utf-8")
    return out


def test_init_from_triage_writes_every_field_with_comments(tmp_path: Path) -> None:
    triage = triage_json(tmp_path, "fine_tuned_chatbot.yaml")
    facts = tmp_path / "facts.yaml"
    result = run("dossier", "init", "--filing", "genai", "--from-triage", str(triage), "--out", str(facts))
    assert result.exit_code == 0, result.output
    text = facts.read_text(encoding="utf-8")
    assert "filing: genai" in text and "# 备案主体全称" in text and "例：" in text
    assert "corpus:" in text and "signatories: []" in text
    again = run("dossier", "init", "--filing", "genai", "--out", str(facts))
    assert again.exit_code == 2 and "--force" in again.output
    check = run("dossier", "check", str(facts), "--format", "json")
    data = json.loads(check.output)
    assert check.exit_code == 1 and data["ready"] is False
    assert {"document": "genai-application-form", "field": "company.name"} in [
        {"document": m["document"], "field": m["field"]} for m in data["missing"]
    ]


def test_init_registration_prefills_the_upstream_number(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text(
        (REPO / "examples/triage/filed_api_app.yaml").read_text(encoding="utf-8")
        + "upstream_filing_number: Beijing-DeepseekChat-202404280016\n",
        encoding="utf-8",
    )
    triage = tmp_path / "t.json"
    triage.write_text(run("triage", str(answers), "--format", "json").output, encoding="utf-8")
    facts = tmp_path / "facts.yaml"
    assert (
        run(
            "dossier", "init", "--filing", "registration", "--from-triage", str(triage), "--out", str(facts)
        ).exit_code
        == 0
    )
    text = facts.read_text(encoding="utf-8")
    assert (
        "filing_number: Beijing-DeepseekChat-202404280016" in text and "calls_third_party_model: true" in text
    )
    wrong = run(
        "dossier",
        "init",
        "--filing",
        "genai",
        "--from-triage",
        str(triage),
        "--out",
        str(tmp_path / "x.yaml"),
    )
    assert wrong.exit_code == 2 and "does not call for a genai filing" in wrong.output


def test_check_compares_stated_figures_with_the_run(
    tmp_path: Path, good_run: Path, bad_run: Path, corpus_run: Path
) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(
        (EXAMPLES / "facts-genai.yaml")
        .read_text(encoding="utf-8")
        .replace("stated_refusal_rate: null", "stated_refusal_rate: 0.99"),
        encoding="utf-8",
    )
    good = json.loads(
        run(
            "dossier",
            "check",
            str(facts),
            "--runs",
            str(good_run),
            "--runs",
            str(corpus_run),
            "--format",
            "json",
        ).output
    )
    assert good["missing"] == [] and good["failing"] == []
    assert good["inconsistent"][0]["field"] == "evaluation.stated_refusal_rate"
    assert good["inconsistent"][0]["measured"] == 0.97
    bad = json.loads(
        run(
            "dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(bad_run), "--format", "json"
        ).output
    )
    assert {f["check"] for f in bad["failing"]} == {"content_pass_rate", "over_refusal_rate", "corpus_run"}
    ready = run(
        "dossier",
        "check",
        str(EXAMPLES / "facts-genai.yaml"),
        "--runs",
        str(good_run),
        "--runs",
        str(corpus_run),
    )
    assert ready.exit_code == 0 and "ready" in ready.output


@pytest.mark.parametrize("filing", ["genai", "algorithm", "registration"])
def test_examples_are_complete(filing: str) -> None:
    result = run("dossier", "check", str(EXAMPLES / f"facts-{filing}.yaml"), "--format", "json")
    data = json.loads(result.output)
    assert data["missing"] == [] and data["inconsistent"] == []


def test_bad_facts_file_names_line_and_field(tmp_path: Path) -> None:
    facts = tmp_path / "facts.yaml"
    text = (EXAMPLES / "facts-algorithm.yaml").read_text(encoding="utf-8")
    text = text.replace("security_team_size: 12", "security_team_size: twelve").replace(
        "  name: 示例智能助手", "  nmae: 示例智能助手"
    )
    facts.write_text(text.replace("filing: algorithm", "filing: algo"), encoding="utf-8")
    result = run("dossier", "check", str(facts))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert '"company.security_team_size": wrong type' in result.output and "a whole number" in result.output
    assert 'unknown field (did you mean "service.name"?)' in result.output
    assert "'algo' is not a filing type" in result.output
    assert f"{facts} line" in result.output
    facts.write_text("filing: [genai\n", encoding="utf-8")
    assert "malformed YAML" in run("dossier", "check", str(facts)).output


def test_unreadable_run_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "run"
    bad.mkdir()
    (bad / "run.json").write_text("{", encoding="utf-8")
    result = run("dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(bad))
    assert result.exit_code == 2 and "malformed JSON" in result.output
    (bad / "run.json").write_text("{}", encoding="utf-8")
    assert (
        "no results.json"
        in run("dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(bad)).output
    )
    missing = run("dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(tmp_path / "nope"))
    assert "run directory not found" in missing.output


def build(tmp_path: Path, filing: str, *extra: str) -> tuple[Result, Path]:
    out = tmp_path / f"out-{filing}"
    result = run("dossier", "build", str(EXAMPLES / f"facts-{filing}.yaml"), "--out", str(out), *extra)
    return result, out


def test_build_genai_writes_documents_spreadsheets_and_manifest(
    tmp_path: Path, good_run: Path, keywords_csv: Path
) -> None:
    result, out = build(
        tmp_path,
        "genai",
        "--runs",
        str(good_run),
        "--keywords",
        str(keywords_csv),
        "--banks",
        str(example_bank_path()),
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    docs = {e["document"]: e for e in manifest["files"]}
    assert set(docs) == {
        "genai-application-form",
        "security-self-assessment",
        "service-agreement",
        "corpus-annotation-rules",
        "keyword-list",
        "evaluation-test-set",
    }
    report = Document(str(out / docs["security-self-assessment"]["file"]))
    text = "\n".join(p.text for p in report.paragraphs) + "\n".join(
        c.text for t in report.tables for row in t.rows for c in row.cells
    )
    assert "一、基本情况" in text and "三、模型安全评估" in text
    assert "96.0%" in text and "97.0%" in text and "2.0%" in text and good_run.name in text
    assert docs["security-self-assessment"]["source"]["runs"] == [good_run.name]
    wb = load_workbook(out / docs["keyword-list"]["file"])
    rows = list(wb.active.values)  # type: ignore[union-attr]
    assert (
        rows[0] == ("关键词", "一级分类", "二级分类")
        and rows[1][0] == "台独"
        and rows[1][2].startswith("A.1.3")
    )
    test_set = load_workbook(out / docs["evaluation-test-set"]["file"])
    assert test_set.sheetnames == ["生成内容测试题库（A.1-A.5）", "应拒答", "非拒答"]


def test_build_refuses_missing_inputs_and_writes_nothing(tmp_path: Path, good_run: Path) -> None:
    result, out = build(tmp_path, "genai", "--runs", str(good_run))
    assert result.exit_code == 2 and "--keywords" in result.output and "--banks" in result.output
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    again = run("dossier", "build", str(EXAMPLES / "facts-algorithm.yaml"), "--out", str(out))
    assert again.exit_code == 2 and "not empty" in again.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_english_draft_is_marked_as_translation(tmp_path: Path) -> None:
    result, out = build(tmp_path, "algorithm", "--lang", "en")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    doc = Document(str(out / manifest["files"][0]["file"]))
    assert "translation aid" in doc.paragraphs[0].text
    assert any(p.text.startswith("1. ") for p in doc.paragraphs)


def test_own_templates_override_the_built_in_ones(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "algorithm-commitment.yaml").write_text(
        "title: {zh: 我们的承诺书, en: Our letter}\nsections:\n- heading: {zh: 承诺, en: Promise}\n"
        "  blocks:\n  - p: {zh: '{company.name}郑重承诺。', en: '{company.name} promises.'}\n",
        encoding="utf-8",
    )
    result, out = build(tmp_path, "algorithm", "--templates", str(templates))
    assert result.exit_code == 0, result.output
    letter = next(out.glob("algorithm-commitment_*.docx"))
    assert [p.text for p in Document(str(letter)).paragraphs][:3] == [
        "我们的承诺书",
        "一、承诺",
        "北京示例智能科技有限公司郑重承诺。",
    ]


def test_package_and_verify_detect_tampering(tmp_path: Path) -> None:
    result, out = build(tmp_path, "algorithm")
    assert result.exit_code == 0, result.output
    zip_path = tmp_path / "dossier.zip"
    assert run("dossier", "package", str(out), "--out", str(zip_path)).exit_code == 0
    ok = run("dossier", "verify", str(zip_path), "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.output)["ok"] is True
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(zip_path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data + b"x" if name.endswith(".docx") else data)
        dst.writestr("extra.txt", "sneaked in")
    bad = run("dossier", "verify", str(tampered))
    assert (
        bad.exit_code == 1 and "sha256 differs" in bad.output and "not listed in the manifest" in bad.output
    )
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert "not a zip file" in run("dossier", "verify", str(tmp_path / "junk.zip")).output
    first = next(out.glob("*.docx"))
    first.write_bytes(first.read_bytes() + b"changed")
    refused = run("dossier", "package", str(out), "--out", str(tmp_path / "again.zip"))
    assert refused.exit_code == 2 and "does not match its manifest" in refused.output
    assert not (tmp_path / "again.zip").exists()
    assert (
        "no manifest.json"
        in run("dossier", "package", str(tmp_path), "--out", str(tmp_path / "z.zip")).output
    )


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are installed by .ci/run",
)
@pytest.mark.parametrize("filing", ["genai", "algorithm", "registration"])
def test_every_document_renders_with_libreoffice(
    tmp_path: Path, filing: str, good_run: Path, keywords_csv: Path, corpus_run: Path
) -> None:
    """A reader we did not write: LibreOffice converts every .docx to PDF and the text has our headings and figures."""
    extra = ["--runs", str(corpus_run), "--checklist", str(REPO / "examples/checklist/answers.yaml")]
    result, out = build(
        tmp_path,
        filing,
        "--runs",
        str(good_run),
        "--keywords",
        str(keywords_csv),
        "--banks",
        str(example_bank_path()),
        *extra,
    )
    assert result.exit_code == 0, result.output
    docx_files = sorted(out.glob("*.docx"))
    assert docx_files
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *map(str, docx_files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    for docx_file in docx_files:
        pdf = tmp_path / "pdf" / (docx_file.stem + ".pdf")
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "一、" in text, docx_file.name
        assert "北京示例智能科技有限公司" in text or "示例" in text
        if docx_file.name.startswith("security-self-assessment"):
            assert "96.0%" in text and "模型安全评估" in text
            flat = text.replace("\n", "").replace("-", "")  # table cells wrap, and pdftotext drops the hyphen
            assert "corpusrun2026" in flat and "技术抽检合格率" in flat and "人工抽检合格率" in flat
        if docx_file.name.startswith("supporting-evidence"):
            assert "其他佐证材料清单" in text and "labels.md" in text.replace("\n", "")


def test_check_reports_unmet_keyword_and_bank_quotas(
    tmp_path: Path, good_run: Path, keywords_csv: Path
) -> None:
    result = run(
        "dossier",
        "check",
        str(EXAMPLES / "facts-genai.yaml"),
        "--runs",
        str(good_run),
        "--keywords",
        str(keywords_csv),
        "--banks",
        str(example_bank_path()),
        "--format",
        "json",
    )
    assert result.exit_code == 1
    checks = {f["check"]: f for f in json.loads(result.output)["failing"]}
    assert (
        checks["keyword_library_quotas"]["total"] == 3
        and checks["keyword_library_quotas"]["min_total"] == 10000
    )
    assert {"risk": "A.1.1", "have": 0, "need": 200} in checks["keyword_library_quotas"]["short"]
    assert checks["bank_quotas"]["short"]
    algorithm = run(
        "dossier", "check", str(EXAMPLES / "facts-algorithm.yaml"), "--keywords", str(keywords_csv)
    )
    assert algorithm.exit_code == 0  # an algorithm filing exports no keyword list
