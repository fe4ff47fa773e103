"""Filing triage: from a short questionnaire, which CAC filings apply, in which role, through which review
path, with which documents, prerequisites, blockers and timeline."""

from aibeian.triage._answers import TriageAnswers, answers_from_document, load_answers
from aibeian.triage._render import render_markdown, render_text
from aibeian.triage._result import (
    FilingNeed,
    PrerequisiteState,
    RuleRef,
    SecurityAssessmentNeed,
    Timeline,
    TriageResult,
)
from aibeian.triage._rules import assess

__all__ = [
    "FilingNeed",
    "PrerequisiteState",
    "RuleRef",
    "SecurityAssessmentNeed",
    "Timeline",
    "TriageAnswers",
    "TriageResult",
    "answers_from_document",
    "assess",
    "load_answers",
    "render_markdown",
    "render_text",
]
