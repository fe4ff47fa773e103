"""``create_app(settings)``: the workbench as one FastAPI application over the library and the store.

The database is not touched while building the app: a store that is unreachable or at the wrong migration
is reported on the first request as a clear page (or JSON under ``/api``), and checked again on the next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from aibeian import __version__
from aibeian.complaints import load_policy
from aibeian.settings import Settings
from aibeian.storage import Store, make_engine
from aibeian.web._complaint_intake import IntakeSizeGuard, csrf_except_public_intake
from aibeian.web._errors import install_handlers
from aibeian.web._security import LoginLimiter, resolve_secret
from aibeian.web._uploads import UploadLimitMiddleware
from aibeian.web.api import api_router
from aibeian.web.deps import CurrentUser
from aibeian.web.routes import html_routers

__all__ = ["create_app"]

STATIC = Path(__file__).with_name("static")


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """Build the app; ``store`` lets a caller that already opened (and migrated) the database share it."""
    url = settings.database_url()
    app = FastAPI(
        title="aibeian workbench",
        version=__version__,
        description="JSON API of the aibeian workbench (CAC filings for AI services). "
        "Authenticate with the session cookie from /login; state-changing calls need the X-CSRF-Token header.",
        dependencies=[Depends(csrf_except_public_intake)],  # verify_csrf, but not for the anonymous intake
        openapi_url=None,  # served below, to signed-in users only
        docs_url=None,  # Swagger UI would load its scripts from a CDN; the schema itself is enough
        redoc_url=None,
    )
    app.state.settings = settings
    if settings.complaint_policy is not None:  # the provider's own; a mistake stops the start, named
        app.state.complaint_policy = load_policy(settings.complaint_policy)
    app.state.store = store or Store(make_engine(url), url)
    app.state.store_ready = False
    app.state.limiter = LoginLimiter(
        max_attempts=settings.login_max_attempts, window_seconds=settings.login_window_seconds
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=resolve_secret(settings),
        session_cookie="aibeian_session",
        max_age=12 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(UploadLimitMiddleware, max_bytes=settings.upload_max_mb << 20)
    app.add_middleware(IntakeSizeGuard)
    install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in html_routers:
        app.include_router(router, include_in_schema=False)
    app.include_router(api_router, prefix="/api")

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(user: CurrentUser) -> dict[str, Any]:
        return app.openapi()

    return app
