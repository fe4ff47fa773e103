"""The commands: formats, --triage and --law, bad triage files, and the docs' examples verbatim."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from aibeian.checklist import applicable_items, load_checklist

REPO = Path(__file__).resolve().parents[2]
Invoke = Callable[..., Result]


def test_show_json_follows_the_triage(invoke: Invoke, triage_file: Callable[..., Path], make_triage) -> None:  # type: ignore[no-untyped-def]
    path = triage_file(model_source="filed_api")
    result = invoke("checklist", "show", "--triage", str(path), "--format", "json", "--lang", "en")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    expected = applicable_items(load_checklist(), make_triage(model_source="filed_api"))
    assert data["applicable"] == len(expected) == len(data["items"])
    item = next(i for i in data["items"] if i["id"] == "pipl.minors.guardian_consent")
    assert item["open_conditions"] == ["minors"]
    assert item["article"] == "PIPL Art. 31; Minors Protection Law Art. 72"
    assert set(item) >= {
        "id",
        "law",
        "article",
        "text",
        "blocks_filing",
        "status",
        "evidence",
        "feeds",
        "source",
    }


def test_show_text_and_markdown(invoke: Invoke) -> None:
    text = invoke("checklist", "show", "--law", "pipl")
    assert text.exit_code == 0
    assert "【个人信息保护法】 (28)" in text.output
    assert "pipl.notice.privacy_policy [阻断备案] (confirmed)" in text.output
    assert "依据: 个人信息保护法 第七条、第十七条" in text.output
    md = invoke("checklist", "show", "--law", "ai", "--format", "markdown", "--lang", "en")
    assert md.output.startswith("# Compliance checklist")
    assert "## AI rules (58)" in md.output
    assert "- **ai.genai.complaints** [blocks filing] (confirmed)" in md.output


def test_answer_markdown_lists_gaps_by_severity(invoke: Invoke, tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("dsl.ethics.review: no\n", encoding="utf-8")
    result = invoke("checklist", "answer", str(path), "--law", "dsl", "--format", "markdown", "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in result.output.splitlines() if re.match(r"\d+\. ", ln)]
    assert len(lines) == 10
    assert "dsl.management.system" in lines[0]  # high severity first, then file order
    assert "dsl.ethics.review" in lines[-3] and "answered no" in lines[-3]  # low severity last


def test_bad_triage_files_exit_2(invoke: Invoke, tmp_path: Path) -> None:
    missing = invoke("checklist", "show", "--triage", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "triage result file does not exist" in missing.output
    other = tmp_path / "other.json"
    other.write_text('{"answers": 1}', encoding="utf-8")
    wrong = invoke("checklist", "show", "--triage", str(other))
    assert wrong.exit_code == 2 and "not a triage result" in wrong.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"filings": [{"type": "genai"}]}', encoding="utf-8")
    bad = invoke("checklist", "show", "--triage", str(broken))
    assert bad.exit_code == 2 and "problems found" in bad.output and "line 1" in bad.output
    assert "Traceback" not in bad.output


def test_example_triage_is_current(invoke: Invoke) -> None:
    result = invoke("triage", str(REPO / "examples/triage/fine_tuned_chatbot.yaml"), "--format", "json")
    stored = (REPO / "examples/checklist/fine_tuned_chatbot.triage.json").read_text(encoding="utf-8")
    assert json.loads(result.output) == json.loads(stored)


def test_example_answers_are_valid(invoke: Invoke) -> None:
    result = invoke("checklist", "answer", str(REPO / "examples/checklist/answers.yaml"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answered"] > 20


def test_docs_examples_print_what_the_doc_says(invoke: Invoke) -> None:
    doc = (REPO / "docs" / "checklist.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ (aibeian checklist [^\n]+)\n(.*?)```", doc, flags=re.S)
    assert len(blocks) >= 3
    for command, expected in blocks:
        args = [str(REPO / a) if a.startswith("examples/") else a for a in shlex.split(command)[1:]]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert result.output == expected, command
