"""Typed models of the regulatory facts. They validate the packaged YAML; the field names follow the files.

Models allow extra keys so that a new fact added to the spec does not break an installed package, but every
field the product relies on is typed and required here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["confirmed", "reported", "unverified"]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class RiskGroup(_Fact):
    id: str
    zh: str
    en: str
    count: int


class Risk(_Fact):
    id: str = Field(pattern=r"^A\.[1-5]\.\d+$")
    group: str
    letter: str
    zh: str
    en: str
    keyword_scope: bool
    keyword_min: int | None
    generation_bank_min: int
    should_refuse_scope: bool
    should_refuse_min: int | None
    status: Status = "confirmed"


class Aspect(_Fact):
    id: str
    zh: str
    scope: Literal["national", "personal"]


class Threshold(_Fact):
    key: str
    area: str
    value: Any
    unit: str
    comparison: str | None = None
    modal: str
    status: Status
    source: str
    description: str


class TimelineSource(_Fact):
    min: float
    max: float
    source: str


class ConditionalDocument(_Fact):
    document: str
    when: str


class Deadline(_Fact):
    event: str
    working_days: int
    duty: str
    status: Status


class Filing(_Fact):
    id: Literal["algorithm", "genai", "registration"]
    zh: str
    en: str
    legal_basis: list[str]
    who: str
    roles: list[Literal["provider", "technical_supporter"]]
    review_levels: list[str]
    documents: list[str]
    conditional_documents: list[ConditionalDocument] = []
    timeline_months: list[TimelineSource]
    deadlines: list[Deadline] = []
    number: str
    status: Status


class Role(_Fact):
    id: Literal["provider", "technical_supporter"]
    zh: str
    en: str
    meaning: str


class Prerequisite(_Fact):
    id: str
    zh: str
    what: str
    source: str
    status: Status


class SecurityTrigger(_Fact):
    id: str
    condition: str
    source: str


class SecurityAssessment(_Fact):
    zh: str
    triggers: list[SecurityTrigger]
    runs: str


class Eligibility(_Fact):
    eligible: list[str]
    not_eligible: list[str]
    notes: list[str]
    source: str


class NotRequired(_Fact):
    when: str
    source: str
    note: str | None = None


class Obligation(_Fact):
    id: str
    cadence: str
    applies: list[str]
    status: Status
    source: str
    note: str | None = None
    triggers: list[str] = []


class Consultation(_Fact):
    zh: str
    adds_months: dict[str, float]
    required: bool
    customary: bool
    source: str


class FilingRules(_Fact):
    """Everything in filings.yaml: the three filings plus who may file and what comes before and after."""

    roles: list[Role]
    filings: list[Filing]
    pre_filing_consultation: Consultation
    eligibility: Eligibility
    prerequisites: list[Prerequisite]
    security_assessment: SecurityAssessment
    not_required: list[NotRequired]
    obligations: list[Obligation]


class DocumentSection(_Fact):
    id: str
    zh: str
    contents: list[str]


class Document(_Fact):
    id: str
    zh: str
    en: str
    format: str
    status: Status
    contents: list[str] = []
    sections: list[DocumentSection] = []


class Choice(_Fact):
    value: str
    zh: str
    en: str


class Question(_Fact):
    key: str
    type: Literal["choice", "multi_choice", "bool", "integer"]
    zh: str
    en: str
    choices: list[Choice | str] = []
    ask_if: dict[str, Any] | None = None
    default: Any = None
    default_if_generative: list[str] | None = None

    def choice_values(self) -> list[str]:
        return [c.value if isinstance(c, Choice) else c for c in self.choices]


class ReadinessQuestion(_Fact):
    key: str
    type: Literal["bool"]
    zh: str
    en: str


class Questionnaire(_Fact):
    questions: list[Question]
    readiness_questions: list[ReadinessQuestion] = []
