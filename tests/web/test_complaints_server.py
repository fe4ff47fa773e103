"""Complaints over real HTTP: a uvicorn server on loopback, concurrent anonymous clients that retry, and
the whole journey in headless Chromium (Playwright, Debian's /usr/bin/chromium): a reporter submits with a
hostile description and file name, a staff member finds it in the queue and replies, the reporter reads
the reply. No script from the complaint ever runs. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from aibeian.complaints import load_policy
from aibeian.storage import Store, count_complaints, load_demo
from aibeian.web import create_app
from web.browser_support import ARTIFACTS, open_page, serve
from web.conftest import make_settings

HOSTILE = (
    "<script>window.__pwned = 1; alert('x')</script><img src=x onerror=\"window.__pwned=2\"> 生成内容未加标识"
)


@pytest.fixture
def server(tmp_path: Path, sqlite_url: str, store: Store) -> Iterator[str]:
    with store.session() as s:
        load_demo(s)
    app = create_app(make_settings(tmp_path, sqlite_url), store=store)
    app.state.complaint_policy = load_policy().with_rate_limit(10_000)  # many clients share 127.0.0.1 here
    with serve(app) as base:
        yield base


def test_concurrent_clients_that_retry_lose_nothing_and_duplicate_nothing(server: str, store: Store) -> None:
    """40 clients, each sending its complaint and then retrying it twice (as after a lost response)."""
    with store.session() as s:
        before = count_complaints(s)
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256).decode()

    def client(i: int) -> set[str]:
        body = {
            "category": "harmful_content",
            "description": f"第 {i} 位举报人的投诉内容。",
            "attachments": [{"filename": f"{i}.png", "content_type": "image/png", "data_base64": png}],
        }
        key = str(uuid.uuid4())
        seen = set()
        with httpx.Client(base_url=server, timeout=60) as c:
            for attempt in range(3):
                r = c.post("/api/complaints", json=body, headers={"Idempotency-Key": key})
                assert r.status_code == (201 if attempt == 0 else 200), r.text
                seen.add(r.json()["tracking"])
        return seen

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(client, range(40)))
    assert all(len(s) == 1 for s in results)
    trackings = {next(iter(s)) for s in results}
    assert len(trackings) == 40
    with store.session() as s:
        assert count_complaints(s) == before + 40
    with httpx.Client(base_url=server) as c:
        one = next(iter(trackings))
        assert c.get(f"/api/complaints/status/{one}").json()["tracking"] == one
        page = c.get(f"/complaint/status?tracking={one}")
        assert page.status_code == 200 and one in page.text
        assert c.get("/api/complaints").status_code == 401


@pytest.fixture
def page(server: str):  # type: ignore[no-untyped-def]
    with open_page(server) as pg:
        yield pg


@pytest.mark.browser
def test_reporter_and_staff_journey_in_the_browser(page) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    shot = {
        "name": "<script>alert(1)</script>.png",
        "mimeType": "image/png",
        "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 128,
    }

    # the reporter: no account
    page.goto("/complaint")
    page.select_option("#category", "unlabelled_ai_content")
    page.fill("#description", "短")
    page.click("#submit")
    assert "description" in page.inner_text("#description-error") or page.is_visible("#description-error")
    page.fill("#description", HOSTILE)
    page.fill("#contact", "reporter@example.com")
    page.set_input_files("#attachments", shot)
    page.screenshot(path=str(ARTIFACTS / "complaint-form.png"), full_page=True)
    page.click("#submit")
    page.wait_for_selector("#receipt")
    tracking = page.inner_text("#tracking").strip()
    assert tracking.startswith("TS-")
    assert page.inner_text("#status") == "已受理"
    page.screenshot(path=str(ARTIFACTS / "complaint-receipt.png"), full_page=True)

    # the staff: the demo admin signs in, sees overdue complaints on the dashboard, opens the new one
    page.goto("/login")
    page.fill("#username", "demo")
    page.fill("#password", "demo-password")
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    assert "已逾期" in page.inner_text("#overdue-complaints")
    page.goto("/complaints")
    page.click(f"text={tracking}")
    page.wait_for_selector("#description")
    assert page.inner_text("#description").startswith("<script>window.__pwned")  # shown as text
    assert page.evaluate("window.__pwned") is None
    assert "script_.png" in page.inner_text("#attachments")
    page.select_option("#assignee_id", label="demo")
    page.click("#assign-form button")
    page.wait_for_selector("#assignee:has-text('demo')")
    page.fill("#note-text", "内部：已转内容安全团队")
    page.click("#note-form button")
    page.wait_for_selector("#notes:has-text('已转内容安全团队')")
    page.fill("#reply-text", "已为相关内容补充 AI 生成标识，感谢您的举报。")
    page.click("#reply-form button")
    page.wait_for_selector("#status:has-text('已答复')")
    page.screenshot(path=str(ARTIFACTS / "complaint-staff.png"), full_page=True)
    page.goto("/complaints?overdue=1")
    assert page.locator("tr.overdue").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "complaint-queue.png"), full_page=True)

    # the reporter reads the reply with the tracking number (signed out)
    page.context.clear_cookies()
    page.goto("/complaint/status")
    page.fill("#tracking-input", tracking.lower())
    page.click("button[type=submit]")
    page.wait_for_selector("#reply")
    assert "感谢您的举报" in page.inner_text("#reply")
    assert page.inner_text("#status") == "已答复"
    page.screenshot(path=str(ARTIFACTS / "complaint-status.png"), full_page=True)
    assert dialogs == [] and page.evaluate("window.__pwned") is None
