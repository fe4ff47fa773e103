"""Own templates (--templates DIR) are checked before building (QA: a YAML slip or a text without zh/en was a
traceback; a misnamed file, a missing folder or an unknown {field} was silently ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from dossier.conftest import EXAMPLES, REPO


def _build(tmp_path: Path, good_run: Path, templates: Path) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    args = ["dossier", "build", str(EXAMPLES / "facts-algorithm.yaml"), "--runs", str(good_run)]
    r = CliRunner().invoke(cli, [*args, "--templates", str(templates), "--out", str(out)])
    return r.exit_code, r.output, out


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("algorithm-commitment.yaml", "sections: [\n", "line 2 column 1: malformed YAML"),
        (
            "algorithm-commitment.yaml",
            "title: x\nsections:\n- heading: {zh: a, en: b}\n  blocks:\n  - p: {zh: a, en: b}\n",
            'line 1: "title": not a mapping; expected {zh: …, en: …} for a text',
        ),
        (
            "algorithm-commitment.yaml",
            "title: {zh: t, en: t}\nsections:\n- heading: {zh: a, en: b}\n  blocks:\n  - p: {zh: '{company.nmae}', en: b}\n",
            """line 5: "sections.0.blocks.0.p.zh": unknown fact field 'company.nmae' (did you mean "company.name"?)""",
        ),
        (
            "algorithm-commitment.yaml",
            "title: {zh: t, en: t}\nsections:\n- heading: {zh: a, en: b}\n  blocks:\n  - run: eval\n",
            "line 5: \"sections.0.blocks.0.run\": Input should be 'evaluation', 'corpus' or 'conclusion'",
        ),
        (
            "algorithm-comitment.yaml",
            "",
            """no document 'algorithm-comitment' (did you mean "algorithm-commitment.yaml"?)""",
        ),
    ],
)
def test_bad_own_template_is_named_and_nothing_is_built(
    tmp_path: Path, good_run: Path, name: str, text: str, needle: str
) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / name).write_text(text, encoding="utf-8")
    code, output, out = _build(tmp_path, good_run, templates)
    assert code == 2, output
    assert needle in output
    assert "Traceback" not in output
    assert not out.exists()


def test_missing_templates_folder(tmp_path: Path, good_run: Path) -> None:
    code, output, _ = _build(tmp_path, good_run, tmp_path / "nope")
    assert code == 2 and "templates folder not found" in output


def test_a_copy_of_a_built_in_template_is_accepted(tmp_path: Path, good_run: Path) -> None:
    templates = tmp_path / "tpl"
    templates.mkdir()
    source = REPO / "src" / "aibeian" / "dossier" / "templates" / "algorithm-commitment.yaml"
    (templates / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    code, output, _ = _build(tmp_path, good_run, templates)
    assert code == 0, output
