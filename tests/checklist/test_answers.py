"""The answers file: both forms, YAML's yes/no booleans, and every kind of mistake reported at once with
file, line and item, exit 2, and nothing written."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from aibeian.checklist import load_answers
from aibeian.errors import InputError


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_both_forms_and_yaml_booleans(tmp_path: Path) -> None:
    (tmp_path / "ev").mkdir()
    (tmp_path / "ev" / "policy.pdf").write_bytes(b"%PDF-1.4")
    path = write(
        tmp_path,
        "pipl.notice.privacy_policy: {answer: yes, evidence: ev/policy.pdf, note: 见第3节}\n"
        "csl.logs.six_months: yes\n"
        "csl.complaints.system: No\n"
        "pipl.cross_border.mechanism: NA\n"
        "dsl.ethics.review: 'yes'\n"
        "ai.genai.complaints:\n",
    )
    answers = load_answers(path).answers
    assert {k: a.answer for k, a in answers.items()} == {
        "pipl.notice.privacy_policy": "yes",
        "csl.logs.six_months": "yes",
        "csl.complaints.system": "no",
        "pipl.cross_border.mechanism": "na",
        "dsl.ethics.review": "yes",
    }  # a blank answer is "not answered", not an error
    policy = answers["pipl.notice.privacy_policy"]
    assert policy.evidence == (tmp_path / "ev" / "policy.pdf",)
    assert policy.note == "见第3节"
    assert policy.line == 1


def test_spreadsheet_spellings_of_the_answers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "csl.logs.six_months: N/A\ncsl.complaints.system: 不适用\ndsl.ethics.review: 是\nai.genai.complaints: 否\n",
    )
    answers = {k: a.answer for k, a in load_answers(path).answers.items()}
    assert answers == {
        "csl.logs.six_months": "na",
        "csl.complaints.system": "na",
        "dsl.ethics.review": "yes",
        "ai.genai.complaints": "no",
    }
    with pytest.raises(InputError, match="line 1"):
        load_answers(write(tmp_path, "csl.logs.six_months: maybe\n", "bad.yaml"))


def test_evidence_is_relative_to_the_answers_file_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "proof.png").write_bytes(b"x")
    path = write(folder, "csl.complaints.system: {answer: yes, evidence: [proof.png]}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_answers(path).answers["csl.complaints.system"].evidence == (folder / "proof.png",)


def test_json_answers_file(tmp_path: Path) -> None:
    path = write(tmp_path, json.dumps({"csl.logs.six_months": "yes", "dsl.ethics.review": "na"}), "a.json")
    assert set(load_answers(path).answers) == {"csl.logs.six_months", "dsl.ethics.review"}


BAD = """\
csl.logs.six_month: yes
csl.logs.six_months: maybe
csl.complaints.system: {answer: yes, evidence: missing/screenshot.png}
dsl.ethics.review: {evidence: x.pdf}
ai.genai.complaints: {answer: 3, owner: me}
pipl.security.measures: 42
"""


def test_every_problem_is_reported_at_once_with_line_and_item(tmp_path: Path) -> None:
    path = write(tmp_path, BAD)
    with pytest.raises(InputError) as info:
        load_answers(path)
    problems = {(p.line, p.field): p for p in info.value.problems}
    assert set(problems) == {
        (1, "csl.logs.six_month"),
        (2, "csl.logs.six_months"),
        (3, "csl.complaints.system"),
        (4, "dsl.ethics.review"),
        (5, "ai.genai.complaints"),
        (6, "pipl.security.measures"),
    }
    assert len(info.value.problems) == 7  # line 5 has two: the answer and the unknown key
    assert all(p.path == str(path) for p in info.value.problems)
    assert "did you mean csl.logs.six_months?" in str(problems[(1, "csl.logs.six_month")])
    text = str(info.value)
    assert "unknown item id (did you mean" in text
    assert "'maybe' is not yes, no or na" in text
    assert "evidence file missing/screenshot.png does not exist" in text
    assert "the answer is missing" in text
    assert "unknown key 'owner'" in text
    assert "42 is not yes, no or na" in text


def test_nearest_id_is_suggested() -> None:
    from aibeian.checklist import load_checklist
    from aibeian.checklist._answers import nearest_id

    all_ids = load_checklist().ids()
    assert nearest_id("csl.logs.six_month", all_ids) == "csl.logs.six_months"
    assert nearest_id("ai.genai.complaint", all_ids) == "ai.genai.complaints"
    assert nearest_id("zzz", all_ids) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- csl.logs.six_months\n", "must be a mapping"),
        ("csl.logs.six_months: [yes\n", "malformed YAML"),
        ("csl.logs.six_months: yes\ncsl.logs.six_months: no\n", "key appears twice"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_answers(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_answers(tmp_path / "nope.yaml")


def test_empty_file_is_no_answers(tmp_path: Path) -> None:
    assert load_answers(write(tmp_path, "# nothing yet\n")).answers == {}


def test_cli_exit_2_names_file_line_and_item_and_writes_nothing(
    tmp_path: Path, invoke: Callable[..., Result]
) -> None:
    path = write(tmp_path, BAD)
    before = sorted(os.listdir(tmp_path))
    result = invoke("checklist", "answer", str(path), "--format", "json")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "7 problems found" in result.output
    assert f"{path} line 2: \"csl.logs.six_months\": answer 'maybe' is not yes, no or na" in result.output
    assert (
        f'{path} line 1: "csl.logs.six_month": unknown item id (did you mean csl.logs.six_months?)'
        in result.output
    )
    assert sorted(os.listdir(tmp_path)) == before
