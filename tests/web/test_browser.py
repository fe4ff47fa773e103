"""Browser journeys with Playwright driving Debian's chromium against a real uvicorn server on loopback:
sign in, read the dashboard, run and save a triage, switch to English, page a 10,000-item run with htmx.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aibeian.storage import Store, load_demo
from aibeian.web import create_app
from aibeian.web._sample_run import write_sample_run
from web.browser_support import ARTIFACTS, open_page, serve
from web.conftest import PASSWORD, make_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str, store: Store) -> Iterator[str]:
    with store.session() as s:
        load_demo(s)
    settings = make_settings(tmp_path, sqlite_url)
    write_sample_run(settings.evaluation_runs_dir() / "demo-run", items=10_000)
    with serve(create_app(settings, store=store)) as base:
        yield base


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    with open_page(server) as pg:
        yield pg


def _login(page, username: str = "demo", password: str = "demo-password") -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


def test_login_dashboard_and_english(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.fill("#username", "demo")
    page.fill("#password", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("#password-error")
    page.screenshot(path=str(ARTIFACTS / "workbench-login-error.png"))
    page.fill("#password", "demo-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert page.inner_text("#count-feedback") == "1"
    assert "已逾期" in page.inner_text("#deadlines")
    page.screenshot(path=str(ARTIFACTS / "workbench-dashboard.png"), full_page=True)
    page.click("#lang-switch")
    page.wait_for_selector("text=Next deadlines")
    page.screenshot(path=str(ARTIFACTS / "workbench-dashboard-en.png"), full_page=True)


def test_triage_journey(page) -> None:  # type: ignore[no-untyped-def]
    _login(page)
    page.goto("/triage")
    page.select_option("#entity_type", "domestic_company")
    for key, value in (
        ("public_in_china", "true"),
        ("generative", "true"),
        ("provides_to_businesses", "false"),
        ("handles_sensitive_content", "false"),
    ):
        page.check(f"input[name={key}][value={value}]")
    page.check("input[name=modalities][value=text]")
    page.select_option("#model_source", "fine_tuned")
    page.fill("#registered_users", "many")
    page.select_option("#icp", "filing")
    page.click("button[value=assess]")
    assert page.is_visible("#registered_users-error")
    page.fill("#registered_users", "12000")
    page.click("button[value=assess]")
    page.wait_for_selector("#result")
    assert "大模型备案" in page.inner_text("#result")
    page.screenshot(path=str(ARTIFACTS / "workbench-triage.png"), full_page=True)
    page.select_option("#service_id", label="资讯推荐 / News feed")
    page.click("button[value=save]")
    page.wait_for_selector("#triage")
    assert "/services/" in page.url


def test_item_browser_pages_with_htmx(page) -> None:  # type: ignore[no-untyped-def]
    _login(page)
    page.goto("/evaluations/demo-run")
    assert page.inner_text("#total") == "10000"
    assert page.locator("tr.item").count() == 50
    page.click("a[rel=next]")
    page.wait_for_url("**page=2**")
    page.wait_for_selector("text=sample-00050")
    page.select_option("select[name=outcome]", "fail")
    page.wait_for_function("document.querySelector('#total').innerText !== '10000'")
    assert int(page.inner_text("#total")) < 1000
    page.screenshot(path=str(ARTIFACTS / "workbench-items.png"), full_page=True)


def test_viewer_sees_no_change_forms(page, store: Store) -> None:  # type: ignore[no-untyped-def]
    _login(page, "viewer", PASSWORD)
    page.goto("/services/1")
    assert page.locator("form[action='/services/1/filings']").count() == 0
