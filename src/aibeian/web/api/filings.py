"""``/api/filings``: list, read, and move a filing to its next status."""

from __future__ import annotations

from fastapi import APIRouter

from aibeian.storage import get_filing, list_filings, transition
from aibeian.web.api.schemas import FilingPublic, FilingTransition
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter(prefix="/filings", tags=["filings"])


@router.get("", response_model=list[FilingPublic])
def read_filings(db: SessionDep, user: CurrentUser, status: str | None = None) -> list[FilingPublic]:
    return [FilingPublic.model_validate(f) for f in list_filings(db, status=status)]


@router.get("/{filing_id}", response_model=FilingPublic)
def read_filing(filing_id: int, db: SessionDep, user: CurrentUser) -> FilingPublic:
    return FilingPublic.model_validate(get_filing(db, filing_id=filing_id))


@router.post("/{filing_id}/transition", response_model=FilingPublic)
def move_filing(filing_id: int, body: FilingTransition, db: SessionDep, user: EditorUser) -> FilingPublic:
    filing = transition(
        db, filing_id=filing_id, to=body.to, on=body.on, filing_number=body.filing_number, actor=actor(user)
    )
    db.commit()
    return FilingPublic.model_validate(filing)
