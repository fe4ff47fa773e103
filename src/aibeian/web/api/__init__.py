"""The JSON API under ``/api`` (OpenAPI at ``/api/openapi.json``), one router per resource."""

from fastapi import APIRouter

from aibeian.web.api import filings, misc, services

api_router = APIRouter()
api_router.include_router(services.router)
api_router.include_router(filings.router)
api_router.include_router(misc.router)

__all__ = ["api_router"]
