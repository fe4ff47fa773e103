"""The triage questionnaire as an HTML form: which fields to draw (from the standards' questionnaire, so a
new question appears without a template change) and how posted strings become the answers document that
``aibeian.triage.answers_from_document`` validates — the same validation the CLI's answers file gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from aibeian.files import LocatedDocument
from aibeian.standards import load_standards
from aibeian.triage import TriageAnswers, answers_from_document

__all__ = ["FormQuestion", "questions", "raw_answers", "validate", "values_from_answers"]


@dataclass(frozen=True)
class FormQuestion:
    key: str
    type: str
    zh: str
    en: str
    choices: list[tuple[str, str, str]]  # value, zh, en
    ask_if: dict[str, Any] | None
    optional: bool


def questions() -> list[FormQuestion]:
    q = load_standards().questionnaire
    out = []
    for item in q.questions:
        choices = [(c, c, c) if isinstance(c, str) else (c.value, c.zh, c.en) for c in item.choices]
        optional = item.key in ("modalities", "public_opinion_or_mobilization", "other_algorithms")
        out.append(FormQuestion(item.key, item.type, item.zh, item.en, choices, item.ask_if, optional))
    for r in q.readiness_questions:
        out.append(FormQuestion(r.key, "bool", r.zh, r.en, [], None, True))
    return out


def _bool(value: str) -> Any:
    return {"true": True, "false": False}.get(value, value)


def _int(value: str) -> Any:
    text = value.strip()
    return int(text) if text.isdigit() else text


def raw_answers(form: FormData) -> dict[str, Any]:
    """Posted strings as an answers document; wrong values stay as typed so the library names them."""
    raw: dict[str, Any] = {}
    for q in questions():
        if q.type == "multi_choice":
            if q.key in form or f"{q.key}__shown" in form:
                raw[q.key] = [str(v) for v in form.getlist(q.key)]
            continue
        value = form.get(q.key)
        if not isinstance(value, str) or value == "":
            continue
        raw[q.key] = _bool(value) if q.type == "bool" else _int(value) if q.type == "integer" else value
    for q in questions():  # a question whose condition is not met is not asked (as in the CLI wizard)
        if q.ask_if and any(raw.get(k) != v for k, v in q.ask_if.items()):
            raw.pop(q.key, None)
    upstream = form.get("upstream_filing_number")
    if isinstance(upstream, str) and upstream.strip():
        raw["upstream_filing_number"] = upstream.strip()
    return raw


def validate(raw: dict[str, Any]) -> TriageAnswers:
    """The library's validation of an answers file; InputError problems carry the question key as field."""
    return answers_from_document(LocatedDocument(data=raw, path="form"))


def values_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers back into form values (booleans as the radio buttons' strings)."""
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in answers.items()}
