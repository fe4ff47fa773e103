"""The JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``), one router per resource."""

from fastapi import APIRouter

from aibeian.web.api import checklist as compliance_checklist
from aibeian.web.api import complaints as complaint_intake
from aibeian.web.api import corpus as corpus_review
from aibeian.web.api import dossier as filing_dossier
from aibeian.web.api import filings, misc, services
from aibeian.web.api import jobs as background_jobs
from aibeian.web.api import keywords as keyword_library
from aibeian.web.api import labels as label_check

api_router = APIRouter()
api_router.include_router(services.router)
api_router.include_router(filings.router)
api_router.include_router(misc.router)
api_router.include_router(keyword_library.router)
api_router.include_router(corpus_review.router)
api_router.include_router(compliance_checklist.router)
api_router.include_router(background_jobs.router)
api_router.include_router(filing_dossier.router)
api_router.include_router(label_check.router)
api_router.include_router(complaint_intake.router)

__all__ = ["api_router"]
