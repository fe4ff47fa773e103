"""Schemathesis against the OpenAPI schema, over real HTTP to a uvicorn server on loopback, signed in as an
admin with the CSRF header: no generated request may produce a server error (5xx) or a response that does
not match its schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from aibeian.settings import Settings
from aibeian.storage import Actor, create_user, open_store
from aibeian.web import create_app
from web.browser_support import api_session, serve

pytestmark = pytest.mark.slow

_SCHEMA_APP = create_app(Settings(home=Path("/nonexistent"), db_url="sqlite://", secret_key=SecretStr("x")))
schema = schemathesis.openapi.from_dict(_SCHEMA_APP.openapi())


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, requests.Session]]:
    home = tmp_path_factory.mktemp("st")
    url = f"sqlite:///{home / 'st.sqlite3'}"
    store = open_store(url, migrate=True)
    with store.session() as s:
        create_user(s, username="admin", password="a-long-test-password", role="admin", actor=Actor(name="t"))
    app = create_app(
        Settings(home=home, db_url=url, secret_key=SecretStr("t"), runs_dir=home / "runs"), store=store
    )
    with serve(app) as base, api_session(base, "admin", "a-long-test-password") as session:
        yield base, session
    store.dispose()


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_fails_on_generated_requests(
    case: schemathesis.Case, signed_in: tuple[str, requests.Session]
) -> None:
    base, session = signed_in
    response = case.call(base_url=base, session=session)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
