"""The dossier from REAL run records and the compliance checklist: corpus scans (`aibeian corpus scan`,
`sample`, `review-import`), evaluation runs made on other banks, and checklist answers (gaps in `dossier
check`, evidence cited in the built documents)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from docx import Document

from aibeian.banks import example_bank_path
from aibeian.checklist import load_checklist
from aibeian.cli.main import cli
from aibeian.dossier._feeds import USER_PROVIDED, resolve_feed, template_fields
from aibeian.dossier._schema import XLSX_DOCUMENTS

from .conftest import EXAMPLES, REPO, write_eval_run

CHECKLIST = REPO / "examples" / "checklist"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def check_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run("dossier", "check", *args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def corpus_report(run_dir: Path) -> dict[str, Any]:
    """The corpus package's own JSON report, through its CLI: what the dossier must agree with."""
    result = run("corpus", "report", str(run_dir), "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def build_genai(tmp_path: Path, *runs: Path, extra: tuple[str, ...] = ()) -> tuple[Path, dict[str, Any]]:
    keywords = tmp_path / "kw.csv"
    keywords.write_text("keyword,risk\n台独,A.1.3\n", encoding="utf-8")
    out = tmp_path / "dossier"
    args = ["dossier", "build", str(EXAMPLES / "facts-genai.yaml"), "--out", str(out)]
    for r in runs:
        args += ["--runs", str(r)]
    args += ["--keywords", str(keywords), "--banks", str(example_bank_path()), *extra]
    result = run(*args)
    assert result.exit_code == 0, result.output
    return out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def doc_file(out: Path, manifest: dict[str, Any], doc_id: str) -> Path:
    return out / next(f["file"] for f in manifest["files"] if f["document"] == doc_id)


# --- corpus runs -------------------------------------------------------------------------------------------


def test_a_reviewed_corpus_run_passes_and_every_figure_reaches_the_self_assessment(
    tmp_path: Path, good_run: Path, corpus_run: Path
) -> None:
    report = corpus_report(corpus_run)
    assert report["conclusion"]["status"] == "pass"  # 4,000 reviewed, 98 %+ technical, sources within 5 %
    code, data = check_json(
        str(EXAMPLES / "facts-genai.yaml"), "--runs", str(good_run), "--runs", str(corpus_run)
    )
    assert code == 0 and data["ready"] is True and data["failing"] == []
    out, manifest = build_genai(tmp_path, good_run, corpus_run)
    text = docx_text(doc_file(out, manifest, "security-self-assessment"))
    assert corpus_run.name in text
    for source in report["sources"]:
        row = f"{source['name']}\n{source['items']}\n{source['sampled']}\n{source['flagged']}\n{pct(source['flagged_rate'])}"
        assert row in text, row
        assert f"{pct(source['interval'][0])}–{pct(source['interval'][1])}" in text
    tech, manual = report["technical"], report["manual"]
    assert f"抽检比例{pct(tech['fraction'])}" in text
    assert (
        f"{tech['sampled']}\n{pct(tech['rate'])}\n{pct(tech['interval'][0])}–{pct(tech['interval'][1])}\n>= 98.0%"
        in text
    )
    assert f"已审核{manual['reviewed']}条" in text and manual["reviewed"] == 4000
    assert (
        f"{manual['reviewed']}\n{pct(manual['rate'])}\n{pct(manual['interval'][0])}–{pct(manual['interval'][1])}\n>= 96.0%"
        in text
    )
    assert f"语料安全评估结论（运行{corpus_run.name}）：符合" in text
    assert f"共{report['corpus']['items']}条" in text
    source = next(f for f in manifest["files"] if f["document"] == "security-self-assessment")["source"]
    assert corpus_run.name in source["runs"]


def test_an_unreviewed_corpus_run_is_not_ready_and_says_why(
    tmp_path: Path, good_run: Path, corpus_run_unreviewed: Path
) -> None:
    code, data = check_json(
        str(EXAMPLES / "facts-genai.yaml"), "--runs", str(good_run), "--runs", str(corpus_run_unreviewed)
    )
    assert code == 1 and data["ready"] is False
    failing = {f["check"]: f for f in data["failing"]}
    manual = failing["corpus_manual_incomplete"]
    assert manual["run"] == corpus_run_unreviewed.name and manual["n"] == 0 and manual["min_items"] == 4000
    assert manual["threshold"] == 0.96
    out, manifest = build_genai(tmp_path, good_run, corpus_run_unreviewed)  # a draft still builds
    text = docx_text(doc_file(out, manifest, "security-self-assessment"))
    assert "已审核0条" in text and "未完成" in text


def test_genai_needs_a_corpus_run_and_an_unfinished_one_is_named(
    tmp_path: Path, good_run: Path, corpus_run_unreviewed: Path
) -> None:
    code, data = check_json(str(EXAMPLES / "facts-genai.yaml"), "--runs", str(good_run))
    assert code == 1 and [f["check"] for f in data["failing"]] == ["corpus_run"]
    unfinished = tmp_path / "unfinished"
    shutil.copytree(corpus_run_unreviewed, unfinished)
    next((unfinished / "shards").glob("*.json")).unlink()
    result = run("dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(unfinished))
    assert (
        result.exit_code == 2
        and "the scan is not finished" in result.output
        and "Traceback" not in result.output
    )
    corrupt = tmp_path / "corrupt"
    shutil.copytree(corpus_run_unreviewed, corrupt)
    next((corrupt / "shards").glob("*.json")).write_text("{", encoding="utf-8")
    result = run("dossier", "check", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(corrupt))
    assert result.exit_code == 2 and "cannot be read" in result.output and str(corrupt) in result.output
    _, registration = check_json(str(EXAMPLES / "facts-registration.yaml"), "--runs", str(good_run))
    assert "corpus_run" not in [f["check"] for f in registration["failing"]]  # no own training corpus


# --- banks -------------------------------------------------------------------------------------------------


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_flags_an_evaluation_run_made_on_other_banks(tmp_path: Path, corpus_run: Path) -> None:
    bank = tmp_path / "bank.jsonl"
    shutil.copy(example_bank_path(), bank)
    spec = {"banks": [{"path": "/elsewhere/bank.jsonl", "sha256": _sha(bank)}]}
    same = write_eval_run(tmp_path / "run-same", content=0.96, refusal=0.97, over=0.02, spec=spec)
    args = (str(EXAMPLES / "facts-genai.yaml"), "--runs", str(corpus_run), "--banks", str(bank))
    _, data = check_json(*args, "--runs", str(same))
    assert data["inconsistent"] == []  # the same bank under another path is the same bank
    edited = tmp_path / "edited.jsonl"
    edited.write_text(bank.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # another version
    other = write_eval_run(
        tmp_path / "run-other",
        content=0.96,
        refusal=0.97,
        over=0.02,
        spec={"banks": [{"path": str(edited), "sha256": _sha(edited)}]},
    )
    code, data = check_json(*args, "--runs", str(other))
    assert code == 1 and data["ready"] is False
    mismatch = next(i for i in data["inconsistent"] if i["field"] == "--banks")
    assert mismatch["run"] == "run-other"
    assert mismatch["run_banks"] == [{"path": str(edited), "sha256": _sha(edited)}]
    assert mismatch["filed_banks"] == [{"path": str(bank), "sha256": _sha(bank)}]
    # One run per bank is fine; a filed bank that no run used is failing, not inconsistent.
    second = tmp_path / "second.jsonl"
    items = [json.loads(line) for line in bank.read_text(encoding="utf-8").splitlines() if line.strip()]
    second.write_text(
        "".join(json.dumps({**i, "id": "b2-" + i["id"]}, ensure_ascii=False) + "\n" for i in items),
        encoding="utf-8",
    )
    _, data = check_json(*args, "--banks", str(second), "--runs", str(same))
    assert data["inconsistent"] == []
    unevaluated = [f for f in data["failing"] if f["check"] == "bank_not_evaluated"]
    assert [f["files"] for f in unevaluated] == [[str(second)]]
    on_second = write_eval_run(
        tmp_path / "run-second",
        content=0.96,
        refusal=0.97,
        over=0.02,
        spec={"banks": [{"path": str(second), "sha256": _sha(second)}]},
    )
    _, data = check_json(*args, "--banks", str(second), "--runs", str(same), "--runs", str(on_second))
    assert data["inconsistent"] == [] and "bank_not_evaluated" not in [f["check"] for f in data["failing"]]
    keywords = tmp_path / "kw.csv"
    keywords.write_text("keyword,risk\n台独,A.1.3\n", encoding="utf-8")
    out = tmp_path / "out"
    refused = run(
        "dossier", "build", str(EXAMPLES / "facts-genai.yaml"), "--runs", str(other), "--keywords",
        str(keywords), "--banks", str(bank), "--out", str(out),
    )  # fmt: skip
    assert refused.exit_code == 2 and "other banks than --banks" in refused.output and not out.exists()


# --- the compliance checklist ------------------------------------------------------------------------------


def test_every_checklist_feed_lands_in_a_real_field_or_document_section() -> None:
    """The checklist data and the dossier cannot drift: each feed names a facts field printed by a template,
    a template's section id, or a document we draft, export or index."""
    sections: dict[str, set[str]] = {}
    for path in (REPO / "src/aibeian/dossier/templates").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        sections[path.stem] = {s.get("id") for s in data["sections"]}
    feeds = {feed for item in load_checklist().items for feed in item.feeds}
    assert len(feeds) > 30
    for feed in sorted(feeds):
        targets = resolve_feed(feed)  # raises UnknownFeedError on a feed that names nothing
        assert targets, feed
        for t in targets:
            if t.section:
                assert t.section in sections[t.document], feed
            else:
                assert t.document in sections or t.document in XLSX_DOCUMENTS or t.document in USER_PROVIDED
            if t.field:
                template = REPO / "src/aibeian/dossier/templates" / f"{t.document}.yaml"
                data = yaml.safe_load(template.read_text(encoding="utf-8"))
                printed = set().union(
                    *(template_fields(s) for s in data["sections"] if s.get("id") == t.section)
                )
                assert t.field in printed, feed


def test_checklist_gaps_show_in_check_with_the_documents_they_leave_open(
    tmp_path: Path, good_run: Path, corpus_run: Path
) -> None:
    base = (str(EXAMPLES / "facts-genai.yaml"), "--runs", str(good_run), "--runs", str(corpus_run))
    triage = str(CHECKLIST / "fine_tuned_chatbot.triage.json")
    code, data = check_json(*base, "--checklist", str(CHECKLIST / "answers.yaml"), "--triage", triage)
    assert code == 1 and data["ready"] is False
    assert data["missing"] == [] and data["failing"] == [] and data["inconsistent"] == []  # keys kept
    gaps = {g["id"]: g for g in data["checklist_gaps"]}
    evaluation = gaps["ai.genai.evaluation_results"]  # answered no
    assert evaluation["answer"] == "no" and evaluation["blocks_filing"] is True
    assert {"document": "security-self-assessment", "section": "model"} in evaluation["feeds"]
    commitment = "ai.algorithm.commitment"  # answered no, but it concerns the algorithm filing only
    assert commitment not in gaps
    summary = data["checklist"]
    assert summary["gaps"] == len(gaps) and "ai.labelling.explicit" in summary["evidenced"]
    # Every applicable item answered (yes with evidence or na): ready again.
    answers = tmp_path / "answers.yaml"
    shutil.copytree(CHECKLIST / "evidence", tmp_path / "evidence")
    given = yaml.safe_load((CHECKLIST / "answers.yaml").read_text(encoding="utf-8"))
    given.update({g: "na" for g in gaps})
    given.update({i: {"answer": "yes", "evidence": "evidence/labels.md"} for i in summary["unevidenced"]})
    answers.write_text(yaml.safe_dump(given, allow_unicode=True), encoding="utf-8")
    code, data = check_json(*base, "--checklist", str(answers), "--triage", triage)
    assert (code, data["checklist_gaps"], data["ready"]) == (0, [], True)
    text = run("dossier", "check", *base, "--checklist", str(CHECKLIST / "answers.yaml"), "--triage", triage)
    assert "checklist gaps" in text.output and "ai.genai.evaluation_results (no)" in text.output
    assert "security-self-assessment#model" in text.output


def test_checklist_without_triage_selects_by_the_facts_filing_and_role(good_run: Path) -> None:
    code, data = check_json(
        str(EXAMPLES / "facts-algorithm.yaml"), "--checklist", str(CHECKLIST / "answers.yaml")
    )
    ids = {g["id"] for g in data["checklist_gaps"]}
    assert code == 1 and "ai.algorithm.commitment" in ids  # answered no; it applies to algorithm filings
    assert not any(i.startswith("ai.genai.") for i in ids)
    other = run(
        "dossier", "check", str(EXAMPLES / "facts-registration.yaml"), "--checklist", str(CHECKLIST / "answers.yaml"),
        "--triage", str(CHECKLIST / "fine_tuned_chatbot.triage.json"),
    )  # fmt: skip
    assert other.exit_code == 2 and "does not call for a registration filing" in other.output
    bad = run("dossier", "check", str(EXAMPLES / "facts-algorithm.yaml"), "--triage", "x.json")
    assert bad.exit_code == 2 and "--checklist" in bad.output
    wrong = run(
        "dossier",
        "check",
        str(EXAMPLES / "facts-algorithm.yaml"),
        "--checklist",
        str(EXAMPLES / "facts-genai.yaml"),
    )
    assert wrong.exit_code == 2 and "unknown item id" in wrong.output and "Traceback" not in wrong.output


def test_a_yes_with_evidence_is_cited_in_the_sections_it_feeds(
    tmp_path: Path, good_run: Path, corpus_run: Path
) -> None:
    out, manifest = build_genai(
        tmp_path,
        good_run,
        corpus_run,
        extra=(
            "--checklist",
            str(CHECKLIST / "answers.yaml"),
            "--triage",
            str(CHECKLIST / "fine_tuned_chatbot.triage.json"),
        ),
    )
    labels = hashlib.sha256((CHECKLIST / "evidence/labels.md").read_bytes()).hexdigest()[:12]
    privacy = hashlib.sha256((CHECKLIST / "evidence/privacy-policy.md").read_bytes()).hexdigest()[:12]
    complaints = hashlib.sha256((CHECKLIST / "evidence/complaint-entry.md").read_bytes()).hexdigest()[:12]

    def section(path: Path, heading: str) -> str:
        """The text (paragraphs and tables, in order) from a heading to the next one."""
        doc = Document(str(path))
        body = doc.element.body
        parts: list[str] = []
        inside = False
        for el in body.iterchildren():
            tag = el.tag.rsplit("}", 1)[-1]
            text = "".join(t.text or "" for t in el.iter() if t.tag.endswith("}t"))
            is_heading = tag == "p" and any(
                s.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "").startswith(
                    "Heading"
                )
                for s in el.iter()
                if s.tag.endswith("}pStyle")
            )
            if is_heading:
                inside = text.endswith(heading)
                continue
            if inside:
                parts.append(text)
        return "\n".join(parts)

    report = doc_file(out, manifest, "security-self-assessment")
    measures = section(report, "安全措施评估")
    for item, digest in (("ai.labelling.explicit", labels), ("pipl.security.measures", None),
                         ("ai.genai.complaints", complaints), ("csl.logs.six_months", None)):  # fmt: skip
        assert item in measures, item
        if digest:
            assert digest in measures
    assert "evidence/labels.md" in measures and "落实情况及佐证材料" in measures
    assert "个人信息保护法" in measures  # the article the duty comes from
    assert "ai.labelling.explicit" not in section(report, "模型安全评估")
    agreement = doc_file(out, manifest, "service-agreement")
    assert "pipl.notice.privacy_policy" in section(agreement, "个人信息保护与未成年人保护")
    assert privacy in section(agreement, "个人信息保护与未成年人保护")
    assert "ai.labelling.implicit" in section(agreement, "生成内容标识")
    assert "csl.complaints.system" in section(agreement, "投诉举报")
    index = doc_file(out, manifest, "supporting-evidence")
    text = docx_text(index)
    assert "其他佐证材料清单" in text and labels in text and "security-self-assessment#measures" in text
    entry = next(f for f in manifest["files"] if f["document"] == "supporting-evidence")
    assert {"item": "ai.labelling.explicit", "file": "evidence/labels.md", "sha256": hashlib.sha256(
        (CHECKLIST / "evidence/labels.md").read_bytes()).hexdigest()} in entry["source"]["evidence"]  # fmt: skip
    assert (
        entry["source"]["checklist"]["sha256"]
        == hashlib.sha256((CHECKLIST / "answers.yaml").read_bytes()).hexdigest()
    )
    zip_path = tmp_path / "dossier.zip"
    assert run("dossier", "package", str(out), "--out", str(zip_path)).exit_code == 0
    assert run("dossier", "verify", str(zip_path)).exit_code == 0


@pytest.mark.parametrize("lang", ["en"])
def test_english_evidence_index(tmp_path: Path, good_run: Path, corpus_run: Path, lang: str) -> None:
    out, manifest = build_genai(
        tmp_path, good_run, corpus_run, extra=("--checklist", str(CHECKLIST / "answers.yaml"), "--lang", lang)
    )
    text = docx_text(doc_file(out, manifest, "supporting-evidence"))
    assert "translation aid" in text and "Index of supporting evidence" in text
    report = docx_text(doc_file(out, manifest, "security-self-assessment"))
    assert "Technical sample qualified rate" in report and "How this is met, with evidence" in report
