"""``/api/services``: list, read and create services; create filings under one."""

from __future__ import annotations

from fastapi import APIRouter

from aibeian.storage import create_filing, create_service, get_service, list_services
from aibeian.web.api.schemas import FilingCreate, FilingPublic, ServiceCreate, ServicePublic
from aibeian.web.deps import CurrentUser, EditorUser, SessionDep, actor

router = APIRouter(prefix="/services", tags=["services"])


@router.get("", response_model=list[ServicePublic])
def read_services(db: SessionDep, user: CurrentUser) -> list[ServicePublic]:
    return [ServicePublic.model_validate(s) for s in list_services(db)]


@router.post("", response_model=ServicePublic, status_code=201)
def add_service(body: ServiceCreate, db: SessionDep, user: EditorUser) -> ServicePublic:
    service = create_service(db, name=body.name, description=body.description, actor=actor(user))
    db.commit()
    return ServicePublic.model_validate(get_service(db, service_id=service.id))


@router.get("/{service_id}", response_model=ServicePublic)
def read_service(service_id: int, db: SessionDep, user: CurrentUser) -> ServicePublic:
    return ServicePublic.model_validate(get_service(db, service_id=service_id))


@router.post("/{service_id}/filings", response_model=FilingPublic, status_code=201)
def add_filing(service_id: int, body: FilingCreate, db: SessionDep, user: EditorUser) -> FilingPublic:
    filing = create_filing(
        db,
        service_id=service_id,
        type=body.type,
        deadline=body.deadline,
        deadline_note=body.deadline_note,
        actor=actor(user),
    )
    db.commit()
    return FilingPublic.model_validate(filing)
