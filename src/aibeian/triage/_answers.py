"""The triage answers file: validated against the questionnaire in the standards data, every problem located.

The keys, types and allowed values come from ``readiness.yaml`` (the questionnaire), so a new choice added
to the spec is accepted without a code change. Problems are collected, not raised one by one, so a user fixes
a file in one pass.
"""

from __future__ import annotations

import difflib
import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured
from aibeian.standards import Question, Standards, load_standards

EntityType = Literal[
    "domestic_company", "wfoe", "joint_venture", "vie", "representative_office", "overseas_entity"
]
ModelSource = Literal["own_trained", "fine_tuned", "filed_api", "unfiled_api", "none"]
Modality = Literal["text", "image", "audio", "video", "virtual_scene"]
OtherAlgorithm = Literal[
    "recommendation", "ranking", "search_filtering", "dispatch_decision", "aigc_detection"
]
Icp = Literal["licence", "filing", "none"]


class TriageAnswers(BaseModel):
    """A company's answers to the triage questionnaire (the exact keys of the answers file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entity_type: EntityType
    public_in_china: bool
    public_opinion_or_mobilization: bool
    generative: bool
    modalities: tuple[Modality, ...]
    model_source: ModelSource
    provides_to_businesses: bool
    other_algorithms: tuple[OtherAlgorithm, ...]
    registered_users: int
    handles_sensitive_content: bool
    icp: Icp
    # optional readiness answers (readiness.yaml): None = not answered
    has_keyword_library: bool | None = None
    has_test_banks: bool | None = None
    corpus_documented: bool | None = None
    labels_in_place: bool | None = None
    complaint_channel: bool | None = None
    security_lead_named: bool | None = None
    # optional: the upstream model's GenAI filing number, cited by a registration (model_source: filed_api)
    upstream_filing_number: str | None = None


def _type_name(q_type: str) -> str:
    return {"bool": "true or false", "integer": "a whole number ≥ 0"}.get(q_type, q_type)


def _check_value(q: Question, value: Any, doc: LocatedDocument, problems: list[Problem]) -> Any:
    """Return the value converted to its Python type, or add a problem and return None."""

    def bad(message: str, expected: str, key: tuple[str | int, ...] = (q.key,)) -> None:
        problems.append(
            Problem(
                message,
                path=doc.path,
                line=doc.line_of(key),
                column=doc.column_of(key),
                field=q.key,
                expected=expected,
            )
        )

    if q.type == "bool":
        if isinstance(value, bool):
            return value
        bad(f"{value!r} is not a boolean", "true or false")
    elif q.type == "integer":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        bad(f"{value!r} is not a whole number ≥ 0", "a whole number ≥ 0, e.g. 50000")
    elif q.type == "choice":
        allowed = q.choice_values()
        if isinstance(value, str) and value in allowed:
            return value
        close = difflib.get_close_matches(str(value), allowed, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        bad(f"{value!r} is not an accepted value{hint}", "one of " + ", ".join(allowed))
    elif q.type == "multi_choice":
        allowed = q.choice_values()
        if not isinstance(value, list):
            bad(f"{value!r} is not a list", "a list of " + ", ".join(allowed) + " (may be empty: [])")
            return None
        ok = True
        for i, item in enumerate(value):
            if item not in allowed:
                ok = False
                bad(
                    f"list item {item!r} is not an accepted value", "any of " + ", ".join(allowed), (q.key, i)
                )
        if ok:
            return tuple(dict.fromkeys(value))
    return None


def _questions(s: Standards) -> dict[str, Question]:
    qs = {q.key: q for q in s.questionnaire.questions}
    for rq in s.questionnaire.readiness_questions:
        qs[rq.key] = Question(key=rq.key, type="bool", zh=rq.zh, en=rq.en)
    return qs


def answers_from_document(doc: LocatedDocument, standards: Standards | None = None) -> TriageAnswers:
    """Validate a parsed answers document; raise one InputError listing every problem."""
    s = standards or load_standards()
    questions = _questions(s)
    readiness = {q.key for q in s.questionnaire.readiness_questions}
    problems: list[Problem] = []
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            "the answers file must be a mapping of question keys to answers",
            path=doc.path,
            line=1,
            expected="keys: " + ", ".join(questions),
        )
    extra = {"upstream_filing_number"}
    for key in data:
        if str(key) not in questions and str(key) not in extra:
            close = difflib.get_close_matches(str(key), list(questions), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(
                Problem(
                    f"unknown key{hint}",
                    path=doc.path,
                    line=doc.line_of((str(key),)),
                    field=str(key),
                    expected="one of " + ", ".join(questions),
                )
            )
    values: dict[str, Any] = {}
    for key, q in questions.items():
        if key in data:
            checked = _check_value(q, data[key], doc, problems)
            if checked is not None:
                values[key] = checked
    upstream = data.get("upstream_filing_number")
    if upstream is not None:
        values["upstream_filing_number"] = _check_upstream(upstream, s, doc, problems)
    # defaults that depend on other answers (the questionnaire's default / default_if_generative)
    generative = values.get("generative")
    if "modalities" not in data and generative is not None:
        values["modalities"] = (
            tuple(questions["modalities"].default_if_generative or ["text"]) if generative else ()
        )
    if (
        "public_opinion_or_mobilization" not in data
        and generative is not None
        and "public_in_china" in values
    ):
        values["public_opinion_or_mobilization"] = bool(values["public_in_china"] and generative)
    if "other_algorithms" not in data:
        values.setdefault("other_algorithms", ())
    defaulted = {"modalities", "public_opinion_or_mobilization", "other_algorithms"}
    for key in questions:
        if key not in data and key not in readiness and key not in defaulted:
            q = questions[key]
            problems.append(
                Problem(
                    "required key is missing",
                    path=doc.path,
                    field=key,
                    expected=_type_name(q.type)
                    if q.type in ("bool", "integer")
                    else "one of " + ", ".join(q.choice_values()),
                )
            )
    if not problems:
        problems += _consistency(values, doc)
    if problems:
        raise InputError(problems=problems)
    return TriageAnswers(**values)


def _check_upstream(value: Any, s: Standards, doc: LocatedDocument, problems: list[Problem]) -> str | None:
    """The number must look like a GenAI filing number (format in filing_numbers.yaml)."""
    pattern = s.filing_numbers["genai"]["regex"]
    if isinstance(value, str) and re.match(pattern, value.strip()):
        return value.strip()
    key = ("upstream_filing_number",)
    problems.append(
        Problem(
            f"{value!r} is not a GenAI filing number",
            path=doc.path,
            line=doc.line_of(key),
            field="upstream_filing_number",
            expected="e.g. Beijing-DeepseekChat-202404280016 (pattern " + pattern + ")",
        )
    )
    return None


def _consistency(values: dict[str, Any], doc: LocatedDocument) -> list[Problem]:
    """Answers that cannot all be true at once."""
    problems: list[Problem] = []
    if values["generative"] and values["model_source"] == "none":
        problems.append(
            Problem(
                '"model_source: none" contradicts "generative: true"',
                path=doc.path,
                line=doc.line_of(("model_source",)),
                field="model_source",
                expected="own_trained, fine_tuned, filed_api or unfiled_api for a generative service",
            )
        )
    if not values["generative"] and values["modalities"]:
        problems.append(
            Problem(
                "modalities are given but generative is false",
                path=doc.path,
                line=doc.line_of(("modalities",)),
                field="modalities",
                expected="[] when generative is false, or generative: true",
            )
        )
    return problems


def load_answers(path: str | os.PathLike[str]) -> TriageAnswers:
    """Read and validate an answers file (YAML or JSON)."""
    return answers_from_document(load_structured(path))
