"""Judges: a registry of named factories (``@judge("refusal")``), built-ins registered on import."""

from aibeian.evaluation.judges._base import (
    REFUSAL_LABELS,
    Evidence,
    Judge,
    JudgeContext,
    JudgeInput,
    JudgeSpec,
    RefusalLabel,
    Verdict,
    build_judge,
    judge,
    judges,
)
from aibeian.evaluation.judges._guard import GuardJudge, parse_guard
from aibeian.evaluation.judges._keywords import KeywordsJudge
from aibeian.evaluation.judges._llm import LLMJudge, parse_verdict
from aibeian.evaluation.judges._refusal import RefusalJudge, classify

__all__ = [
    "REFUSAL_LABELS",
    "Evidence",
    "GuardJudge",
    "Judge",
    "JudgeContext",
    "JudgeInput",
    "JudgeSpec",
    "KeywordsJudge",
    "LLMJudge",
    "RefusalJudge",
    "RefusalLabel",
    "Verdict",
    "build_judge",
    "classify",
    "judge",
    "judges",
    "parse_guard",
    "parse_verdict",
]
