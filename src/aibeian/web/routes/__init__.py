"""The screens, one router per resource."""

from aibeian.web.routes import audit, auth, dashboard, evaluations, filings, services, triage, users
from aibeian.web.routes import checklist as compliance_checklist
from aibeian.web.routes import complaints as complaint_queue
from aibeian.web.routes import complaints_public as complaint_intake
from aibeian.web.routes import corpus as corpus_review
from aibeian.web.routes import dossier as filing_dossier
from aibeian.web.routes import jobs as background_jobs
from aibeian.web.routes import keywords as keyword_library
from aibeian.web.routes import labels as label_check

html_routers = [
    auth.router,
    complaint_intake.router,
    dashboard.router,
    services.router,
    filings.router,
    triage.router,
    evaluations.router,
    corpus_review.router,
    keyword_library.router,
    compliance_checklist.router,
    filing_dossier.router,
    background_jobs.router,
    label_check.router,
    complaint_queue.router,
    audit.router,
    users.router,
]

__all__ = ["html_routers"]
