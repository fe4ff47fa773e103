"""The screens, one router per resource."""

from aibeian.web.routes import audit, auth, dashboard, evaluations, filings, services, triage, users

html_routers = [
    auth.router,
    dashboard.router,
    services.router,
    filings.router,
    triage.router,
    evaluations.router,
    audit.router,
    users.router,
]

__all__ = ["html_routers"]
