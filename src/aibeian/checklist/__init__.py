"""Cross-law compliance checklist (PIPL, DSL, CSL and the AI rules): the items a triage result's filings and
roles call for, an answers file validated against them, and the gaps — blocking ones first — that the
dossier and the workbench show."""

from aibeian.checklist._answers import ANSWER_VALUES, Answer, Answers, load_answers
from aibeian.checklist._assess import (
    ChecklistResult,
    Fulfilled,
    Gap,
    LawProgress,
    assess,
    check_answers,
)
from aibeian.checklist._loader import Checklist, load_checklist
from aibeian.checklist._models import LAWS, ArticleRef, ChecklistItem, Instrument
from aibeian.checklist._render import render_items, render_result
from aibeian.checklist._select import applicable_items, load_triage_result, open_conditions

__all__ = [
    "ANSWER_VALUES",
    "LAWS",
    "Answer",
    "Answers",
    "ArticleRef",
    "Checklist",
    "ChecklistItem",
    "ChecklistResult",
    "Fulfilled",
    "Gap",
    "Instrument",
    "LawProgress",
    "applicable_items",
    "assess",
    "check_answers",
    "load_answers",
    "load_checklist",
    "load_triage_result",
    "open_conditions",
    "render_items",
    "render_result",
]
