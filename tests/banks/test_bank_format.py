"""Bank files: every problem reported at once with file and line; the coverage check against the quotas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.banks import (
    KINDS,
    check_coverage,
    example_bank_path,
    find_duplicates,
    load_bank,
    normalise_prompt,
)
from aibeian.cli.main import cli
from aibeian.errors import InputError
from aibeian.standards import load_standards


def write(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def item(i: int, kind: str = "generation", **kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": f"i{i}",
        "prompt": f"问题{i}：请介绍第{i}个话题的详细情况",
        "kind": kind,
        "risk": "A.1.1",
        "aspect": None,
        "source": "t",
    }
    return {**base, **kw}


def test_every_bad_line_is_reported_with_its_line(tmp_path: Path) -> None:
    bank = write(
        tmp_path / "b.jsonl",
        [
            item(1),
            "{not json",
            item(3, kind="weird"),
            item(4, risk="A.9.9"),
            item(5, prompt=None),
            item(6, kind="should_refuse", risk=None),
            item(1),
            item(8, kind="should_not_refuse", risk=None, aspect="外星"),
        ],
    )
    with pytest.raises(InputError) as info:
        load_bank([bank])
    found = {(p.line, p.field) for p in info.value.problems}
    assert found == {
        (2, None),
        (3, "kind"),
        (4, "risk"),
        (5, "prompt"),
        (6, "risk"),
        (7, "id"),
        (8, "aspect"),
    }
    assert all(p.path == str(bank) for p in info.value.problems)


def test_cli_reports_bad_bank_without_traceback(tmp_path: Path) -> None:
    bank = write(tmp_path / "b.jsonl", [item(1, kind="nope")])
    result = CliRunner().invoke(cli, ["banks", "check", str(bank)])
    assert result.exit_code == 2
    assert "line 1" in result.output and "unknown kind" in result.output and "Traceback" not in result.output


def test_aspects_accept_chinese_names_and_messages_are_allowed(tmp_path: Path) -> None:
    bank = write(
        tmp_path / "b.jsonl",
        [
            item(1, kind="should_not_refuse", risk=None, aspect="性别"),
            item(
                2,
                prompt=None,
                messages=[{"role": "system", "content": "s"}, {"role": "user", "content": "你好"}],
            ),
        ],
    )
    items = load_bank([bank])
    assert items[0].aspect == "N.10"
    assert items[1].text() == "你好" and items[1].chat_messages()[0]["role"] == "system"


def test_normalisation_and_near_duplicates() -> None:
    assert normalise_prompt("ＡＢＣ，  你好！") == normalise_prompt("abc你好")
    pairs = find_duplicates(
        [
            ("a", "请介绍一下长城的历史和文化意义"),
            ("b", "请介绍一下长城的历史和文化意义！"),
            ("c", "请介绍一下长城的历史与文化意义"),
            ("d", "今天天气怎么样"),
        ],
        threshold=0.6,
    )
    kinds = {(p.first, p.second): p.exact for p in pairs}
    assert kinds[("a", "b")] is True
    assert kinds[("a", "c")] is False
    assert not any("d" in k for k in kinds)


def full_bank() -> list[dict[str, object]]:
    """Exactly the quotas of the standards data, built from it (not hard-coded)."""
    s = load_standards()
    items: list[dict[str, object]] = []
    n = 0
    total = {
        k: int(s.threshold(key).value)
        for k, key in (
            ("generation", "generation_bank_min_total"),
            ("should_refuse", "should_refuse_bank_min_total"),
            ("should_not_refuse", "non_refusal_bank_min_total"),
        )
    }
    per_aspect = int(s.threshold("non_refusal_bank_min_per_aspect").value)

    def add(kind: str, risk: str | None, aspect: str | None) -> None:
        nonlocal n
        n += 1
        items.append(
            {
                "id": f"x{n}",
                "prompt": f"编号{n}的测试问题" + "甲乙丙丁戊己庚辛"[n % 8] * (n % 5 + 1) + str(n * 7919),
                "kind": kind,
                "risk": risk,
                "aspect": aspect,
            }
        )

    for r in s.risks:
        for _ in range(r.generation_bank_min):
            add("generation", r.id, None)
        for _ in range(r.should_refuse_min or 0):
            add("should_refuse", r.id, None)
    for a in s.should_not_refuse_aspects:
        for _ in range(per_aspect):
            add("should_not_refuse", None, a.id)
    for kind in KINDS:
        have = sum(i["kind"] == kind for i in items)
        for _ in range(max(0, total[kind] - have)):
            add(
                kind,
                "A.1.1" if kind != "should_not_refuse" else None,
                "N.1" if kind == "should_not_refuse" else None,
            )
    return items


def test_a_bank_meeting_every_quota_passes_and_one_item_less_fails(tmp_path: Path) -> None:
    items = full_bank()
    bank = write(tmp_path / "full.jsonl", items)
    result = CliRunner().invoke(cli, ["banks", "check", str(bank), "--format", "json"])
    data = json.loads(result.stdout)
    assert set(data) == {"kinds", "per_risk", "short", "problems", "ok"}
    assert result.exit_code == 0, data["short"][:5]
    assert data["ok"] is True and len(data["per_risk"]) == 31
    # remove one A.2.3 should-refuse item: that risk is now short
    victim = next(i for i in items if i["kind"] == "should_refuse" and i["risk"] == "A.2.3")
    write(bank, [i for i in items if i is not victim])
    result = CliRunner().invoke(cli, ["banks", "check", str(bank), "--format", "json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 1
    assert {(s["kind"], s["risk"], s["count"]) for s in data["short"]} == {
        ("should_refuse", "A.2.3", 19),
        ("should_refuse", None, 499),
    }


def test_duplicates_count_once_and_candidates_never(tmp_path: Path) -> None:
    items = [
        item(1, kind="should_not_refuse", risk=None, aspect="N.1"),
        item(2, kind="should_not_refuse", risk=None, aspect="N.1", prompt=item(1)["prompt"]),
        item(3, kind="should_not_refuse", risk=None, aspect="N.1", status="candidate"),
    ]
    coverage = check_coverage(load_bank([write(tmp_path / "b.jsonl", items)]))
    assert coverage.kinds["should_not_refuse"]["count"] == 1
    assert coverage.kinds["should_not_refuse"]["candidates"] == 1
    assert [p["type"] for p in coverage.problems] == ["duplicate"]


def test_inconsistent_kind_and_risk_is_a_problem(tmp_path: Path) -> None:
    items = [
        item(1, kind="should_refuse", risk="A.4.5"),
        item(2, kind="should_not_refuse", risk=None, aspect=None),
    ]
    coverage = check_coverage(load_bank([write(tmp_path / "b.jsonl", items)]))
    assert sorted(p["ids"][0] for p in coverage.problems if p["type"] == "inconsistent") == ["i1", "i2"]


def test_example_bank_is_valid_bilingual_and_not_a_filing_bank() -> None:
    items = load_bank([example_bank_path()])
    assert {i.extra.get("lang") for i in items} == {"zh", "en"}
    assert {i.kind for i in items} == set(KINDS)
    coverage = check_coverage(items)
    assert not coverage.ok and not coverage.problems
