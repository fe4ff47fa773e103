"""Text, Markdown and JSON output in zh and en; the interactive questionnaire; the docs' examples."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from aibeian.triage import assess, load_answers, render_markdown

Invoke = Callable[..., Result]
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "triage").iterdir())


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_every_example_runs_in_every_format_and_language(example: Path, invoke: Invoke) -> None:
    for fmt in ("text", "json", "markdown"):
        for lang in ("zh", "en"):
            result = invoke("triage", str(example), "--format", fmt, "--lang", lang)
            assert result.exit_code == 0, result.output
            if fmt == "json":
                assert json.loads(result.output)["lang"] == lang


def test_text_output_in_english_has_no_chinese_headings(invoke: Invoke) -> None:
    result = invoke("triage", str(REPO / "examples/triage/fine_tuned_chatbot.yaml"), "--lang", "en")
    assert "Filings needed" in result.output and "需要办理的备案" not in result.output
    assert "Generative-AI service filing" in result.output


def test_markdown_is_markdown(invoke: Invoke) -> None:
    result = invoke("triage", str(REPO / "examples/triage/overseas_api_startup.json"), "--format", "markdown")
    assert result.output.startswith("# 备案分诊结果")
    assert "## 阻断事项" in result.output and "**eligible_entity**" in result.output


def test_library_and_cli_agree(invoke: Invoke) -> None:
    path = REPO / "examples/triage/own_model_platform.yaml"
    cli_json = json.loads(invoke("triage", str(path), "--format", "json").output)
    assert cli_json == assess(load_answers(path)).to_json_dict()
    assert render_markdown(assess(load_answers(path), lang="en")).startswith("# Filing triage result")


def test_interactive_asks_in_chinese_and_saves_the_answers_file(tmp_path: Path, invoke: Invoke) -> None:
    saved = tmp_path / "mine.yaml"
    # entity 1 (domestic), public y, generative y, modalities "1,2", model source 3 (filed_api),
    # public opinion default, businesses n, other algorithms none, users 1000, sensitive n, icp 2 (filing)
    answers = "1\ny\ny\n1,2\n3\n\nn\n\n1000\nn\n2\n"
    result = invoke(
        "triage", "--interactive", "--no-readiness", "--save", str(saved), "--format", "json", input=answers
    )
    assert result.exit_code == 0, result.output
    assert "提供服务的主体是哪类机构" in result.output
    assert "saved" in result.output
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert data["model_source"] == "filed_api" and data["modalities"] == ["text", "image"]
    assert data["public_opinion_or_mobilization"] is True
    rerun = json.loads(invoke("triage", str(saved), "--format", "json").output)
    assert [f["type"] for f in rerun["filings"]] == ["algorithm", "registration"]


def test_interactive_in_english_with_readiness_and_no_save(invoke: Invoke) -> None:
    answers = "2\ny\nn\n5\ny\nn\n1\n50\nn\n1\n" + "y\n" * 6 + "n\n"
    result = invoke("triage", "--interactive", "--lang", "en", input=answers)
    assert result.exit_code == 0, result.output
    assert "What kind of entity offers the service?" in result.output
    assert "personalised recommendation" in result.output


def test_interactive_rejects_bad_multi_choice_then_accepts(invoke: Invoke) -> None:
    answers = "1\ny\ny\n9\n1\n1\n\nn\n\n10\nn\n1\nn\n"
    result = invoke("triage", "--interactive", "--no-readiness", input=answers)
    assert result.exit_code == 0, result.output


def test_docs_examples_print_what_the_doc_says(invoke: Invoke) -> None:
    """Every `$ aibeian triage …` block in docs/triage.md is run and its output compared verbatim."""
    doc = (REPO / "docs" / "triage.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```console\n\$ (aibeian triage [^\n]+)\n(.*?)```", doc, flags=re.S)
    assert len(blocks) >= 3
    for command, expected in blocks:
        args = shlex.split(command)[1:]
        args = [str(REPO / a) if a.startswith("examples/") else a for a in args]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert result.output == expected, command
