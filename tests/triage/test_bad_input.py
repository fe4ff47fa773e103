"""A bad answers file: one clear message per problem naming file, line and key; exit 2; no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Invoke = Callable[..., Result]


def write(tmp_path: Path, text: str, name: str = "answers.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = """entity_type: domestic_company
public_in_china: true
generative: true
model_source: fine_tuned
provides_to_businesses: false
registered_users: 10
handles_sensitive_content: false
icp: filing
"""


def failed(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.output


def test_good_minimal_file_uses_defaults(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("triage", write(tmp_path, GOOD), "--format", "json")
    assert result.exit_code == 0, result.output


def test_unknown_key_suggests_the_nearest(tmp_path: Path, invoke: Invoke) -> None:
    path = write(tmp_path, GOOD + "registred_users: 5\n")
    out = failed(invoke("triage", path))
    assert f"{path} line 9" in out
    assert '"registred_users": unknown key (did you mean "registered_users"?)' in out


def test_wrong_type_names_line_key_and_accepted_values(tmp_path: Path, invoke: Invoke) -> None:
    path = write(tmp_path, GOOD.replace("public_in_china: true", "public_in_china: maybe"))
    out = failed(invoke("triage", path))
    assert f"{path} line 2" in out and '"public_in_china"' in out and "expected true or false" in out


def test_value_outside_the_enumeration(tmp_path: Path, invoke: Invoke) -> None:
    path = write(tmp_path, GOOD.replace("icp: filing", "icp: pending"))
    out = failed(invoke("triage", path))
    assert f"{path} line 8" in out and "expected one of licence, filing, none" in out


def test_bad_list_item_and_negative_integer_are_both_reported(tmp_path: Path, invoke: Invoke) -> None:
    text = GOOD.replace("registered_users: 10", "registered_users: -1") + "modalities: [text, smell]\n"
    out = failed(invoke("triage", write(tmp_path, text)))
    assert "2 problems found" in out
    assert "'smell'" in out and "virtual_scene" in out and "whole number" in out


def test_missing_required_key(tmp_path: Path, invoke: Invoke) -> None:
    out = failed(invoke("triage", write(tmp_path, GOOD.replace("icp: filing\n", ""))))
    assert '"icp": required key is missing' in out and "licence, filing, none" in out


def test_malformed_yaml_names_line_and_column(tmp_path: Path, invoke: Invoke) -> None:
    out = failed(invoke("triage", write(tmp_path, "entity_type: [wfoe\nicp: none\n")))
    assert "malformed YAML" in out and "line 2" in out


def test_malformed_json(tmp_path: Path, invoke: Invoke) -> None:
    path = write(tmp_path, '{"entity_type": "wfoe",\n "icp": }', "answers.json")
    out = failed(invoke("triage", path))
    assert f"{path} line 2 column 9: malformed JSON" in out


def test_json_answers_file_is_located_too(tmp_path: Path, invoke: Invoke) -> None:
    path = write(tmp_path, '{\n  "entity_type": "wfoe",\n  "icp": "nope"\n}', "answers.json")
    out = failed(invoke("triage", path))
    assert f"{path} line 3" in out and '"icp"' in out


def test_duplicate_key(tmp_path: Path, invoke: Invoke) -> None:
    out = failed(invoke("triage", write(tmp_path, GOOD + "icp: none\n")))
    assert "key appears twice" in out and "line 9" in out


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_not_a_mapping(tmp_path: Path, invoke: Invoke, text: str) -> None:
    out = failed(invoke("triage", write(tmp_path, text)))
    assert "must be a mapping" in out


def test_contradicting_answers(tmp_path: Path, invoke: Invoke) -> None:
    out = failed(invoke("triage", write(tmp_path, GOOD.replace("fine_tuned", "none"))))
    assert "contradicts" in out and "model_source" in out


def test_bad_upstream_filing_number(tmp_path: Path, invoke: Invoke) -> None:
    text = GOOD.replace("fine_tuned", "filed_api") + "upstream_filing_number: 网信算备123号\n"
    out = failed(invoke("triage", write(tmp_path, text)))
    assert "not a GenAI filing number" in out


def test_missing_file_and_gbk_file(tmp_path: Path, invoke: Invoke) -> None:
    assert "file not found" in failed(invoke("triage", str(tmp_path / "nope.yaml")))
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("# 中文注释\nicp: none\n".encode("gbk"))
    out = failed(invoke("triage", str(gbk)))
    assert "not valid UTF-8" in out and "GB18030" in out


def test_file_and_interactive_together_is_a_usage_error(tmp_path: Path, invoke: Invoke) -> None:
    result = invoke("triage", write(tmp_path, GOOD), "--interactive")
    assert result.exit_code == 2 and "either ANSWERS_FILE or --interactive" in result.output
    assert invoke("triage").exit_code == 2
