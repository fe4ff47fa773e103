"""Browser check of the checklist screen: answer an item with a note and an uploaded evidence file in a real
chromium and see the per-law progress move. Screenshot under tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from aibeian.checklist import check_answers
from aibeian.settings import Settings
from aibeian.web._checklist_store import answers_path
from web.test_browser import ARTIFACTS
from web.test_corpus_review_browser import _sign_in, browser, review_server

pytestmark = pytest.mark.browser
__all__ = ["browser", "review_server"]


def test_answer_with_evidence_upload(browser, review_server: tuple[str, Settings], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, settings = review_server
    evidence = tmp_path / "privacy-policy.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% privacy policy\n")
    page = _sign_in(browser, base, "demo", "demo-password")
    page.click("nav >> text=合规清单")
    page.click("text=智能客服助手 / Support assistant")
    page.wait_for_selector("#law-progress")
    before = page.inner_text("#law-pipl")
    card = page.locator("#item-pipl\\.notice\\.privacy_policy")
    card.locator("input[name=answer][value=yes]").check()
    card.locator("input[name=note]").fill("第3节")
    card.locator("input[name=evidence]").set_input_files(str(evidence))
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    assert page.inner_text("#law-pipl") != before
    assert "privacy-policy.pdf" in page.inner_text("#item-pipl\\.notice\\.privacy_policy")
    page.screenshot(path=str(ARTIFACTS / "workbench-checklist.png"), full_page=False)
    result = check_answers(answers_path(settings, 1))
    assert [f.id for f in result.fulfilled] == ["pipl.notice.privacy_policy"]
