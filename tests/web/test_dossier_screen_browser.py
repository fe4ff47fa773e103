"""Browser journey "download a dossier": Playwright drives Debian's chromium against a real uvicorn server
with the in-process worker — sign in, open a filing's dossier, see a wrong value refused next to its field,
fill the facts, build in the background while the job page polls its progress, and download the package,
which then verifies. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aibeian.dossier import verify_package
from aibeian.jobs import Worker, WorkerOptions
from aibeian.storage import Store, list_filings, load_demo
from aibeian.web import create_app
from web.browser_support import ARTIFACTS, open_page, serve
from web.conftest import make_settings
from web.test_browser import _login
from web.test_dossier_screen import example_form

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str, store: Store) -> Iterator[str]:
    with store.session() as s:
        load_demo(s)
    settings = make_settings(tmp_path, sqlite_url)
    worker = Worker(store, WorkerOptions(poll_seconds=0.1))
    worker.start()
    try:
        with serve(create_app(settings, store=store)) as base:
            yield base
    finally:
        worker.stop()


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    with open_page(server, accept_downloads=True, viewport={"width": 1280, "height": 900}) as pg:
        yield pg


def test_download_a_dossier(page, store: Store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with store.session() as s:
        filing = next(f for f in list_filings(s) if f.type == "algorithm")
        filing_id = filing.id
    _login(page)
    page.click("nav >> text=备案材料")
    page.click(f"#dossier-{filing_id}")
    page.wait_for_selector("#not-ready")
    form = example_form("facts-algorithm.yaml")
    for name, value in form.items():
        if name in ("role", "calls_third_party_model"):
            continue
        page.fill(f'[name="{name}"]', value)
    page.fill('[name="company.security_team_size"]', "十二")
    page.click("#save-facts")
    page.wait_for_selector('[id="company.security_team_size-error"]')
    page.locator('[id="f-company.security_team_size"]').screenshot(
        path=str(ARTIFACTS / "workbench-dossier-error.png")
    )
    page.fill('[name="company.security_team_size"]', form["company.security_team_size"])
    page.click("#save-facts")
    page.wait_for_selector("#ready")
    assert page.inner_text("#completeness-percent") == "100%"
    page.screenshot(path=str(ARTIFACTS / "workbench-dossier.png"), full_page=True)
    page.click("#build-dossier")
    page.wait_for_url("**/jobs/*")
    page.wait_for_selector("#download-package", timeout=120_000)  # htmx polling brings the result in
    assert page.get_attribute("#job-progress", "data-status") == "succeeded"
    page.screenshot(path=str(ARTIFACTS / "workbench-dossier-job.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#download-package")
    target = tmp_path / "dossier.zip"
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".zip")
    assert verify_package(target)["ok"]
    page.goto(f"/dossier/{filing_id}")
    assert page.locator("#builds a.download").count() == 1
