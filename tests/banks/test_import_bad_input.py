"""Bad dataset files for `banks import`: one clear error naming file and line, exit 2, nothing written.

Found by QA: a CSV without the mapped column, with an unclosed quote, or empty imported 0 items with exit 0;
a JSONL line that is not an object crashed with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli

MAPPING = """name: mine
licence: proprietary
shippable: false
format: {fmt}
prompt: 问题
category: [类别]
kind: should_refuse
map: {{地域: A.2.4}}
"""


def _run(tmp_path: Path, name: str, text: str, fmt: str = "csv") -> tuple[int, str, Path]:
    (tmp_path / "map.yaml").write_text(MAPPING.format(fmt=fmt), encoding="utf-8")
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = CliRunner().invoke(
        cli, ["banks", "import", str(src), "--mapping", str(tmp_path / "map.yaml"), "--out", str(out)]
    )
    return r.exit_code, r.output, out


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("编号,问题\n1,你好\n", "line 1: \"类别\": column '类别' not found"),
        ('问题,类别\n"unclosed,地域\nok,地域\n', "line 2: 1 fields where the header has 2"),
        ("", "line 1: the CSV file is empty"),
        ('{"问题": "x", "类别": "地域"}\n', "reads CSV (format: csv) but this file holds JSON"),
    ],
)
def test_bad_csv_is_an_error_not_an_empty_import(tmp_path: Path, text: str, needle: str) -> None:
    code, output, out = _run(tmp_path, "q.csv", text)
    assert code == 2, output
    assert needle in output
    assert "Traceback" not in output
    assert not out.exists()


def test_csv_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, "q.csv", '问题,类别\n"two\nlines",地域\nextra,地域,x\n')
    assert code == 2
    assert "q.csv line 4: 3 fields" in output


def test_jsonl_record_that_is_not_an_object(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "q.jsonl", '{"问题": "a", "类别": "地域"}\n[1, 2]\n', fmt="jsonl")
    assert code == 2, output
    assert "q.jsonl line 2: a record must be a JSON object" in output
    assert not out.exists()


def test_jsonl_without_the_prompt_field(tmp_path: Path) -> None:
    code, output, _ = _run(tmp_path, "q.jsonl", '{"question": "a", "类别": "地域"}\n', fmt="jsonl")
    assert code == 2
    assert "no record has the prompt field '问题'" in output
    assert "question" in output


def test_good_csv_still_imports(tmp_path: Path) -> None:
    code, output, out = _run(tmp_path, "q.csv", '问题,类别\n"a, with comma",地域\nb,其他\n')
    assert code == 0, output
    assert '"a, with comma"' in out.read_text(encoding="utf-8")
