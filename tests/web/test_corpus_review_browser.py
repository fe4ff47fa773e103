"""Browser journey "review 10 corpus items": Playwright drives Debian's chromium against a real uvicorn server;
the reviewer uses only the keyboard shortcuts shown on the page (Y, N + reason + Enter, arrow keys), and the
verdicts end up where ``aibeian corpus report`` reads them. A second reviewer then reviews blind and the
agreement appears. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aibeian.corpus import assess_run, thresholds
from aibeian.settings import Settings
from aibeian.storage import Store, load_demo
from aibeian.web import create_app
from aibeian.web._demo_files import DEMO_CORPUS_RUN, write_demo_files
from web.browser_support import ARTIFACTS, chromium, serve
from web.conftest import PASSWORD, make_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def review_server(tmp_path: Path, sqlite_url: str, store: Store) -> Iterator[tuple[str, Settings]]:
    with store.session() as s:
        load_demo(s)
    settings = make_settings(tmp_path, sqlite_url)
    write_demo_files(settings)
    with serve(create_app(settings, store=store)) as base:
        yield base, settings


@pytest.fixture
def browser(review_server: tuple[str, Settings]):  # type: ignore[no-untyped-def]
    with chromium() as b:
        yield b


def _sign_in(browser, base: str, username: str, password: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(base_url=base)
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    return page


def _position(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.inner_text("#position"))


def test_review_10_corpus_items_with_the_keyboard(browser, review_server: tuple[str, Settings]) -> None:  # type: ignore[no-untyped-def]
    base, settings = review_server
    page = _sign_in(browser, base, "demo", "demo-password")
    page.click("nav >> text=语料抽检")
    page.click(f"text={DEMO_CORPUS_RUN}")
    page.click("#start-first")
    page.wait_for_selector("#shortcuts")
    legend = page.inner_text("#shortcuts")
    assert all(key in legend for key in ("Y", "N", "Enter", "←", "→"))
    assert _position(page) == 1

    page.keyboard.press("ArrowRight")  # look ahead, then come back: navigation only, nothing recorded
    page.wait_for_function("document.querySelector('#position').innerText === '2'")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("document.querySelector('#position').innerText === '1'")

    unqualified = {3: "A.1.8 网络赌博", 7: "A.1.4 制作炸弹"}
    for n in range(1, 11):
        assert _position(page) == n
        with page.expect_navigation():
            if n in unqualified:
                page.keyboard.press("n")
                assert page.evaluate("document.activeElement.id") == "reason"
                page.keyboard.type(unqualified[n])
                page.keyboard.press("Enter")
            else:
                page.keyboard.press("y")
        if n == 5:
            page.screenshot(path=str(ARTIFACTS / "workbench-corpus-review.png"), full_page=True)
    assert _position(page) == 11
    minimum = int(thresholds()["corpus_manual_sample_min_items"])  # the standard's 4,000
    assert page.inner_text("#reviewed-count").startswith(f"10 / {minimum}")
    assert page.inner_text("#qualified-rate") == "80.0%"
    page.screenshot(path=str(ARTIFACTS / "workbench-corpus-review-10.png"), full_page=True)

    manual = assess_run(str(settings.corpus_runs() / DEMO_CORPUS_RUN))["manual"]
    assert (manual["reviewed"], manual["qualified"]) == (10, 8)
    assert manual["reasons"] == {"A.1.8 网络赌博": 1, "A.1.4 制作炸弹": 1}

    # leaving and coming back resumes at the first item still waiting
    page.goto(f"/corpus/{DEMO_CORPUS_RUN}/review")
    assert _position(page) == 11

    # a second reviewer, blind, on the first three items
    second = _sign_in(browser, base, "reviewer", PASSWORD)
    second.goto(f"/corpus/{DEMO_CORPUS_RUN}")
    second.click("#start-second")
    second.wait_for_selector("#shortcuts")
    assert second.locator(".other-verdict").count() == 0
    for _ in range(3):
        with second.expect_navigation():
            second.keyboard.press("y")
    second.goto(f"/corpus/{DEMO_CORPUS_RUN}")
    assert second.inner_text("#agreement-rate") == "66.7%"  # item 3 was unqualified for demo, qualified here
    second.screenshot(path=str(ARTIFACTS / "workbench-corpus-agreement.png"), full_page=True)
