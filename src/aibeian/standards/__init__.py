"""The regulatory facts (31 risks, thresholds, filings, documents, labels, number formats, questionnaire)
as packaged, validated data. The source of truth is ../shared/spec/; a test keeps this copy equal to it."""

from aibeian.standards._loader import DATA_FILES, Standards, data_text, load_standards
from aibeian.standards._models import (
    Aspect,
    Document,
    Filing,
    FilingRules,
    Question,
    Questionnaire,
    Risk,
    RiskGroup,
    Status,
    Threshold,
)

__all__ = [
    "DATA_FILES",
    "Aspect",
    "Document",
    "Filing",
    "FilingRules",
    "Question",
    "Questionnaire",
    "Risk",
    "RiskGroup",
    "Standards",
    "Status",
    "Threshold",
    "data_text",
    "load_standards",
]
