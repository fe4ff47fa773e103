"""``/api/keywords``: the keyword library's coverage and release record, and the matcher over a text."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from aibeian.keywords import ReleaseStore, check_library
from aibeian.web import _keyword_view as kv
from aibeian.web.deps import CurrentUser, SettingsDep

router = APIRouter(prefix="/keywords", tags=["keywords"])


class KeywordLibraryPublic(BaseModel):
    version: str | None = Field(description='"working", a release version, or null when there is no library')
    coverage: dict[str, Any] | None = Field(description="aibeian keywords check --format json")
    history: dict[str, Any] = Field(description="aibeian keywords history --format json")


class MatchRequest(BaseModel):
    text: str = Field(max_length=kv.MAX_TRY_CHARS)
    version: str = Field("", description='"" (working library, else latest release), "working" or a version')


class MatchPublic(BaseModel):
    start: int = Field(description="code-point offset in the text")
    end: int
    text: str
    keyword: str
    risk: str
    evasion: list[str]


class MatchResult(BaseModel):
    version: str
    matches: list[MatchPublic]


@router.get("", response_model=KeywordLibraryPublic)
def read_library(settings: SettingsDep, user: CurrentUser, version: str = "") -> KeywordLibraryPublic:
    choice = kv.choose_library(settings, version)
    history = ReleaseStore(settings.keyword_paths()[2]).history()
    return KeywordLibraryPublic(
        version=choice.version if choice else None,
        coverage=check_library(choice.library, choice.allow).to_dict() if choice else None,
        history=history.to_dict(),
    )


@router.post("/match", response_model=MatchResult)
def match(body: MatchRequest, settings: SettingsDep, user: CurrentUser) -> MatchResult:
    """Read-only: every keyword occurrence in ``text`` with its span, risk and evasions."""
    choice = kv.choose_library(settings, body.version)
    if choice is None:
        raise LookupError("keyword library (none yet)")
    found = kv.matcher_for(choice, settings.cache_dir).find(body.text)
    return MatchResult(
        version=choice.version,
        matches=[MatchPublic(**m.to_dict()) for m in found],
    )
