"""The JSON API's shapes: ``XCreate`` for input, ``XPublic`` for output (never the ORM rows themselves)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "DashboardPublic",
    "DeadlinePublic",
    "FailingPublic",
    "FilingCreate",
    "FilingPublic",
    "FilingTransition",
    "ItemsPage",
    "RunPublic",
    "ServiceCreate",
    "ServicePublic",
    "UserPublic",
]


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserPublic(_Out):
    id: int
    username: str
    display_name: str
    role: str


class FilingPublic(_Out):
    id: int
    service_id: int
    type: str
    status: str
    feedback_round: int
    filing_number: str | None
    deadline: date | None
    deadline_note: str
    submitted_on: date | None
    approved_on: date | None
    updated_at: datetime


class ServicePublic(_Out):
    id: int
    name: str
    description: str
    created_at: datetime
    filings: list[FilingPublic] = []


class ServiceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


class FilingCreate(BaseModel):
    type: Literal["algorithm", "genai", "registration"]
    deadline: date | None = None
    deadline_note: str = Field(default="", max_length=200)


class FilingTransition(BaseModel):
    to: Literal["submitted", "feedback", "approved"]
    on: date | None = None
    filing_number: str | None = Field(default=None, max_length=64)


class DeadlinePublic(_Out):
    due: date
    kind: str
    filing_id: int
    service_name: str
    filing_type: str
    note: str
    overdue: bool


class FailingPublic(_Out):
    service_id: int
    service_name: str
    kind: str
    text: str


class DashboardPublic(_Out):
    counts: dict[str, int]
    services: int
    deadlines: list[DeadlinePublic]
    failing: list[FailingPublic]


class RunPublic(BaseModel):
    name: str
    status: str
    created: str
    target: str
    results: dict[str, Any] | None


class ItemsPage(BaseModel):
    items: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    size: int
