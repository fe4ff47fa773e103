"""The shape of the packaged checklist (``standards/data/checklist.yaml``), validated on load so a bad edit of
the data fails loudly in tests instead of silently dropping an item from a customer's gap list."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aibeian.standards import Status

Law = Literal["pipl", "dsl", "csl", "ai"]
FilingType = Literal["algorithm", "genai", "registration"]
RoleId = Literal["provider", "technical_supporter"]
Severity = Literal["high", "medium", "low"]
Lang = Literal["zh", "en"]

#: The groups, in the order gaps of equal weight are listed: the CAC filing's own rules first.
LAWS: tuple[Law, ...] = ("ai", "pipl", "csl", "dsl")
FILINGS: tuple[FilingType, ...] = ("algorithm", "genai", "registration")
ROLES: tuple[RoleId, ...] = ("provider", "technical_supporter")
SEVERITY_ORDER: dict[str, int] = {"high": 0, "medium": 1, "low": 2}

#: Conditions an item can depend on. The first three can be read from a triage result; the others only the
#: user knows, so a triage leaves them open and the user answers ``na`` when they do not hold.
Condition = Literal[
    "generative",
    "recommendation",
    "public_opinion",
    "processes_personal_information",
    "sensitive_personal_information",
    "large_scale_personal_information",
    "entrusted_processing",
    "automated_decisions",
    "minors",
    "cross_border",
    "important_data",
    "biometric_editing",
    "user_publishing",
    "large_platform",
]

_FEED = re.compile(r"^(doc:[a-z0-9-]+(#[a-z0-9_-]+)?|[a-z_]+(\.[a-z_]+)*)$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Instrument(_Frozen):
    """A law, regulation or standard items cite. ``corpus`` names its text in cn-laws-corpus when we have it,
    which is what lets a test check every cited article exists."""

    id: str
    zh: str
    en: str
    short_zh: str
    short_en: str
    kind: Literal["law", "regulation", "rules", "standard"]
    version: str
    corpus: str | None = None


class ArticleRef(_Frozen):
    instrument: str
    articles: tuple[int, ...] = ()
    clauses: tuple[str, ...] = ()


class AppliesTo(_Frozen):
    filings: tuple[FilingType, ...] = FILINGS
    roles: tuple[RoleId, ...] = ROLES
    when: tuple[Condition, ...] = ()


class Bilingual(_Frozen):
    zh: str = Field(min_length=2)
    en: str = Field(min_length=2)


class ChecklistItem(_Frozen):
    """One duty an adviser would ask about, with where it comes from and what proves it."""

    id: str = Field(pattern=r"^(pipl|dsl|csl|ai)\.[a-z0-9_]+(\.[a-z0-9_]+)*$")
    law: Law
    zh: str = Field(min_length=4)
    en: str = Field(min_length=4)
    article: ArticleRef
    see_also: tuple[ArticleRef, ...] = ()
    applies_to: AppliesTo = AppliesTo()
    blocks_filing: bool
    severity: Severity
    evidence: Bilingual
    feeds: tuple[str, ...] = Field(min_length=1)
    status: Status
    source: str = Field(min_length=4)

    @field_validator("feeds")
    @classmethod
    def _feeds_shape(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for feed in value:
            if not _FEED.match(feed):
                raise ValueError(
                    f"feed {feed!r} is neither a dossier field path (measures.labelling) "
                    "nor a document (doc:service-agreement or doc:security-self-assessment#measures)"
                )
        return value

    def text(self, lang: Lang = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def refs(self) -> tuple[ArticleRef, ...]:
        return (self.article, *self.see_also)

    def fields(self) -> tuple[str, ...]:
        """The dossier fields (``measures.labelling``) this item's answer informs."""
        return tuple(f for f in self.feeds if not f.startswith("doc:"))

    def documents(self) -> tuple[str, ...]:
        """The filing documents (``service-agreement`` or ``security-self-assessment#measures``) it informs."""
        return tuple(f.removeprefix("doc:") for f in self.feeds if f.startswith("doc:"))


class ChecklistData(_Frozen):
    version: int
    instruments: tuple[Instrument, ...]
    items: tuple[ChecklistItem, ...]
