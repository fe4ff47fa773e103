"""Schemathesis over real HTTP against the keyword, corpus-review and checklist API *with data behind them*
(the demo keyword library, a scanned corpus run with its sample, the demo services): no generated request may
produce a server error or a response that does not match its schema. (The app-wide schemathesis test runs
against an empty home, where these endpoints mostly answer 404.)"""

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
from aibeian.storage import load_demo, open_store
from aibeian.web import create_app
from aibeian.web._demo_files import write_demo_files
from web.browser_support import api_session, serve

pytestmark = pytest.mark.slow

_APP = create_app(Settings(home=Path("/nonexistent"), db_url="sqlite://", secret_key=SecretStr("x")))
schema = schemathesis.openapi.from_dict(_APP.openapi()).include(
    path_regex=r"^/api/(keywords|corpus-runs|services/\{service_id\}/checklist)"
)


@pytest.fixture(scope="module")
def signed_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, requests.Session]]:
    home = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{home / 'fuzz.sqlite3'}"
    store = open_store(url, migrate=True)
    with store.session() as s:
        load_demo(s)
    app_settings = Settings(home=home, db_url=url, secret_key=SecretStr("t"))
    write_demo_files(app_settings)
    with (
        serve(create_app(app_settings, store=store)) as base,
        api_session(base, "demo", "demo-password") as session,
    ):
        assert session.get(f"{base}/api/keywords").status_code == 200
        yield base, session
    store.dispose()


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_screen_apis_never_fail_on_generated_requests(
    case: schemathesis.Case, signed_in: tuple[str, requests.Session]
) -> None:
    base, session = signed_in
    if "name" in (case.path_parameters or {}):
        case.path_parameters["name"] = "demo-corpus"  # the run that exists, so the body is what varies
    if "service_id" in (case.path_parameters or {}):
        case.path_parameters["service_id"] = 1
    response = case.call(base_url=base, session=session)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
