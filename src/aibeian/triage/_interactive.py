"""The questionnaire asked one question at a time. The flow (order, ``ask_if``, defaults) lives here; the
terminal I/O is passed in, so the same flow can be driven by click, a test, or another front end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import yaml

from aibeian.files import LocatedDocument
from aibeian.standards import Question, load_standards
from aibeian.triage._answers import TriageAnswers, answers_from_document

Ask = Callable[[Question, "Literal['zh', 'en']", Any], Any]
"""Ask one question in a language with a suggested default; return the answer as a Python value."""


def _default(q: Question, answers: dict[str, Any]) -> Any:
    if q.key == "modalities":
        return list(q.default_if_generative or ["text"])
    if q.key == "public_opinion_or_mobilization":
        return bool(answers.get("public_in_china") and answers.get("generative"))
    if q.type == "multi_choice":
        return []
    if q.type == "bool":
        return False
    if q.type == "integer":
        return 0
    return q.choice_values()[0] if q.choice_values() else None


def _relevant(q: Question, answers: dict[str, Any]) -> bool:
    return all(answers.get(k) == v for k, v in (q.ask_if or {}).items())


def ask_questionnaire(
    ask: Ask, *, lang: Literal["zh", "en"] = "zh", readiness: bool = False
) -> dict[str, Any]:
    """Ask every relevant question in the questionnaire's order and return the raw answers mapping."""
    s = load_standards()
    answers: dict[str, Any] = {}
    for q in s.questionnaire.questions:
        if not _relevant(q, answers):
            if q.key == "modalities":
                answers[q.key] = []
            continue
        answers[q.key] = ask(q, lang, _default(q, answers))
    if readiness:
        for rq in s.questionnaire.readiness_questions:
            q = Question(key=rq.key, type="bool", zh=rq.zh, en=rq.en)
            answers[q.key] = ask(q, lang, False)
    return answers


def answers_to_yaml(answers: dict[str, Any]) -> str:
    """The answers as a file in the answers-file format, with the questions as comments."""
    s = load_standards()
    questions = {q.key: q for q in s.questionnaire.questions}
    questions.update(
        {
            rq.key: Question(key=rq.key, type="bool", zh=rq.zh, en=rq.en)
            for rq in s.questionnaire.readiness_questions
        }
    )
    lines = ["# aibeian triage answers (aibeian triage FILE)"]
    for key, value in answers.items():
        q = questions[key]
        lines.append(f"# {q.zh} / {q.en}")
        lines.append(
            yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=True, width=200)
            .strip()
            .removeprefix("{")
            .removesuffix("}")
        )
    return "\n".join(lines) + "\n"


def validate_raw(answers: dict[str, Any], source: str = "<interactive>") -> TriageAnswers:
    return answers_from_document(LocatedDocument(data=answers, path=source))
