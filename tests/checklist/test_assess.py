"""Gaps: what counts, in which order, when the service is ready, and the JSON contract."""

from __future__ import annotations

from pathlib import Path

from aibeian.checklist import (
    Answer,
    Answers,
    applicable_items,
    assess,
    check_answers,
    load_checklist,
)
from aibeian.checklist._models import LAWS, SEVERITY_ORDER

from .conftest import MakeTriage


def answers(**values: str) -> Answers:
    return Answers(
        path="a.yaml",
        answers={k.replace("__", "."): Answer(k.replace("__", "."), v) for k, v in values.items()},
    )  # type: ignore[arg-type]


def test_gaps_are_no_and_missing_na_is_not_a_gap() -> None:
    cl = load_checklist()
    items = [cl.item(i) for i in ("csl.logs.six_months", "dsl.ethics.review", "pipl.audit.regular")]
    result = assess(answers(csl__logs__six_months="no", dsl__ethics__review="na"), items)
    assert result.applicable == 3
    assert result.answered == 2
    assert [(g.id, g.answer) for g in result.gaps] == [
        ("csl.logs.six_months", "no"),
        ("pipl.audit.regular", "missing"),
    ]


def test_blocking_gaps_come_first_then_severity_then_law() -> None:
    cl = load_checklist()
    result = assess(Answers(path="a.yaml"), list(cl.items))
    keys = [(0 if g.blocks_filing else 1, SEVERITY_ORDER[g.severity], LAWS.index(g.law)) for g in result.gaps]
    assert keys == sorted(keys)
    assert result.gaps[0].blocks_filing and not result.gaps[-1].blocks_filing
    # within the same weight the file order is kept
    first_blocking_ai = [
        g.id for g in result.gaps if g.blocks_filing and g.severity == "high" and g.law == "ai"
    ]
    in_file = [it.id for it in cl.items if it.id in set(first_blocking_ai)]
    assert first_blocking_ai == in_file


def test_ready_when_no_blocking_gap_remains(make_triage: MakeTriage) -> None:
    cl = load_checklist()
    items = applicable_items(cl, make_triage())
    blocking = {it.id: Answer(it.id, "yes") for it in items if it.blocks_filing}
    result = assess(Answers(path="a.yaml", answers=blocking), items)
    assert result.ready
    assert result.gaps and not any(g.blocks_filing for g in result.gaps)
    one_short = dict(blocking)
    one_short.pop("ai.genai.complaints")
    result = assess(Answers(path="a.yaml", answers=one_short), items)
    assert not result.ready
    assert [g.id for g in result.blocking()] == ["ai.genai.complaints"]


def test_answers_to_items_that_do_not_apply_are_not_counted(make_triage: MakeTriage) -> None:
    cl = load_checklist()
    items = applicable_items(cl, make_triage(model_source="filed_api"))
    result = assess(answers(ai__genai__annotation="yes", ai__registration__upstream_filed="yes"), items)
    assert result.answered == 1


def test_yes_with_evidence_fills_and_yes_without_is_flagged(tmp_path: Path) -> None:
    cl = load_checklist()
    items = [cl.item("ai.genai.complaints"), cl.item("csl.logs.six_months")]
    proof = tmp_path / "entry.png"
    given = Answers(
        path="a.yaml",
        answers={
            "ai.genai.complaints": Answer("ai.genai.complaints", "yes", (proof,)),
            "csl.logs.six_months": Answer("csl.logs.six_months", "yes"),
        },
    )
    result = assess(given, items)
    assert result.gaps == [] and result.ready
    assert result.unevidenced == ["csl.logs.six_months"]
    filled = {f.id: f for f in result.fulfilled}
    assert "complaints.entry" in filled["ai.genai.complaints"].feeds
    assert filled["ai.genai.complaints"].evidence == (str(proof),)


def test_json_shape_is_the_contract(tmp_path: Path, make_triage: MakeTriage) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("csl.logs.six_months: no\n", encoding="utf-8")
    data = check_answers(path, triage=make_triage(), lang="en").to_json_dict()
    assert {"applicable", "answered", "gaps", "ready"} <= set(data)
    assert isinstance(data["applicable"], int) and data["answered"] == 1 and data["ready"] is False
    gap = next(g for g in data["gaps"] if g["id"] == "csl.logs.six_months")
    assert {"id", "law", "article", "text"} <= set(gap)
    assert gap["law"] == "csl" and gap["article"] == "CSL Art. 21" and gap["answer"] == "no"
    assert gap["text"].startswith("Monitor and record")
    assert gap["feeds"] == ["measures.log_retention_months"]
    assert set(data["by_law"]) == set(LAWS)
    real_name = next(g for g in data["gaps"] if g["id"] == "csl.real_name")
    assert real_name["open_conditions"] == ["user_publishing"]  # the user may answer na
    assert gap["open_conditions"] == []


def test_check_answers_reads_a_triage_file(tmp_path: Path, make_triage: MakeTriage) -> None:
    triage = tmp_path / "t.json"
    triage.write_text(make_triage(model_source="filed_api").model_dump_json(), encoding="utf-8")
    path = tmp_path / "answers.yaml"
    path.write_text("ai.registration.upstream_filed: no\n", encoding="utf-8")
    result = check_answers(path, triage=triage)
    gap = next(g for g in result.gaps if g.id == "ai.registration.upstream_filed")
    assert gap.answer == "no" and gap.blocks_filing
    assert gap.article == "备案实务"
    assert "upstream.filing_number" in gap.feeds
    assert not any(g.id == "ai.genai.annotation" for g in result.gaps)  # not a registration item
