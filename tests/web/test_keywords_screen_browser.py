"""Browser check of the try-the-matcher box: htmx posts the text and swaps in the highlighted result in a real
chromium, with markup in the input shown as text. Screenshot under tests/artifacts/."""

from __future__ import annotations

import pytest

from aibeian.settings import Settings
from web.test_browser import ARTIFACTS
from web.test_corpus_review_browser import _sign_in, browser, review_server

pytestmark = pytest.mark.browser
__all__ = ["browser", "review_server"]


def test_try_the_matcher_highlights_in_place(browser, review_server: tuple[str, Settings]) -> None:  # type: ignore[no-untyped-def]
    base, _settings = review_server
    page = _sign_in(browser, base, "demo", "demo-password")
    page.click("nav >> text=关键词库")
    page.wait_for_selector("#coverage")
    url = page.url
    page.fill("#try-text", "坚决反对台独。有人写成 臺 独、台*独 或 tai du <b>粗体</b> 😀网络赌博")
    page.click("#try-button")
    page.wait_for_selector("#match-table")
    assert page.url == url  # swapped in place by htmx, no page load
    marks = page.locator("#highlighted mark.hit")
    assert marks.count() == 4
    assert marks.first.inner_text().startswith("臺 独")
    assert "<b>粗体</b>" in page.inner_text("#highlighted") and page.locator("#highlighted b").count() == 0
    page.screenshot(path=str(ARTIFACTS / "workbench-keywords.png"), full_page=True)
