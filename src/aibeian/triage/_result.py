"""The triage result: what the CLI prints, the web page shows and the dossier starts from.

The JSON shape (``filings``, ``security_assessment``, ``prerequisites``, ``blockers``, ``timeline``, ``notes``)
is a contract other tools read; fields beyond it are additions, never renames.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from aibeian.standards import Status

FilingType = Literal["algorithm", "genai", "registration"]
RoleId = Literal["provider", "technical_supporter"]
Lang = Literal["zh", "en"]


class RuleRef(BaseModel):
    """Which rule produced a reason, where it comes from, and how sure we are of it."""

    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    status: Status


class ConditionalDocument(BaseModel):
    id: str
    when: str


class TimelineRange(BaseModel):
    min_months: float
    max_months: float
    sources: list[str]


class FilingNeed(BaseModel):
    type: FilingType
    role: RoleId
    reasons: list[str]
    review_levels: list[str]
    documents: list[str]
    name: str
    role_name: str
    algorithm: str | None = None
    algorithm_name: str | None = None
    algorithm_type_code: str | None = None
    conditional_documents: list[ConditionalDocument] = []
    cites_upstream_filing: str | None = None
    legal_basis: list[str] = []
    rules: list[RuleRef] = []
    timeline: TimelineRange
    status: Status


class SecurityAssessmentNeed(BaseModel):
    required: bool
    reasons: list[str]
    rules: list[RuleRef] = []


class PrerequisiteState(BaseModel):
    id: str
    met: bool | None
    action: str
    name: str
    status: Status
    source: str


class Timeline(BaseModel):
    min_months: float
    max_months: float
    with_consultation_max_months: float
    sources: list[str]


class ReadinessGap(BaseModel):
    key: str
    text: str


class TriageResult(BaseModel):
    lang: Lang
    filing_required: bool
    filings: list[FilingNeed]
    security_assessment: SecurityAssessmentNeed
    prerequisites: list[PrerequisiteState]
    blockers: list[str]
    timeline: Timeline | None
    notes: list[str]
    readiness_gaps: list[ReadinessGap] = []
    rules: list[RuleRef] = []

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
