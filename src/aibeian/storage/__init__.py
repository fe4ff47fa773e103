"""The workbench's store: one SQLAlchemy schema on SQLite (default) or PostgreSQL, Alembic migrations shipped
in the package, and repository functions (keyword-only arguments) that audit every change they make."""

from aibeian.storage._audit import Actor, count_audit, list_audit, record
from aibeian.storage._dashboard import Dashboard, Deadline, FailingCheck, dashboard
from aibeian.storage._demo import DEMO_PASSWORD, DEMO_USER, load_demo
from aibeian.storage._engine import Store, head_revision, make_engine, open_store
from aibeian.storage._filings import (
    TRANSITIONS,
    check_number,
    create_filing,
    get_filing,
    list_filings,
    set_deadline,
    transition,
)
from aibeian.storage._schema import (
    FILING_STATUSES,
    FILING_TYPES,
    ROLES,
    AuditEntry,
    Filing,
    Service,
    TriageRecord,
    User,
)
from aibeian.storage._services import (
    create_service,
    get_service,
    latest_triage,
    list_services,
    save_triage,
    triage_answers,
    update_service,
)
from aibeian.storage._users import (
    authenticate,
    count_users,
    create_user,
    get_user,
    list_users,
    set_password,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USER",
    "FILING_STATUSES",
    "FILING_TYPES",
    "ROLES",
    "TRANSITIONS",
    "Actor",
    "AuditEntry",
    "Dashboard",
    "Deadline",
    "FailingCheck",
    "Filing",
    "Service",
    "Store",
    "TriageRecord",
    "User",
    "authenticate",
    "check_number",
    "count_audit",
    "count_users",
    "create_filing",
    "create_service",
    "create_user",
    "dashboard",
    "get_filing",
    "get_service",
    "get_user",
    "head_revision",
    "latest_triage",
    "list_audit",
    "list_filings",
    "list_services",
    "list_users",
    "load_demo",
    "make_engine",
    "open_store",
    "record",
    "save_triage",
    "set_deadline",
    "set_password",
    "transition",
    "triage_answers",
    "update_service",
]
