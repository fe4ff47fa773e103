"""Complaints through the in-process app: the public intake (HTML and JSON) with no account, idempotent
retries, the flood limit, bad uploads, escaping, the staff queue and its access control, the dashboard."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from aibeian.complaints import draft_complaint, load_policy
from aibeian.errors import InputError
from aibeian.storage import Store, count_complaints, list_audit, open_store, submit_complaint
from aibeian.web import create_app
from web.conftest import csrf_of, login, make_settings, seed_users

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
TEXT = "<script>alert('pwned')</script> 生成的回答里有违法内容，请处理。"
_KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _body(description: str = TEXT, **extra: object) -> dict[str, object]:
    return {"category": "illegal_content", "description": description, "contact": "13800000000", **extra}


def _png(name: str = "截图.png") -> dict[str, str]:
    return {"filename": name, "content_type": "image/png", "data_base64": base64.b64encode(PNG).decode()}


def test_public_pages_and_api_need_no_account(client: TestClient) -> None:
    page = client.get("/complaint")
    assert page.status_code == 200 and 'name="idempotency_key"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "违法违规内容" in page.text  # categories come from the policy data
    assert client.get("/complaint/status").status_code == 200
    r = client.get("/api/complaints/status/TS-20260101-00000000-0")
    assert r.status_code in (404, 422)
    r = client.post("/api/complaints", json=_body(attachments=[_png()]), headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.text
    receipt = r.json()
    assert receipt["created"] and receipt["tracking"].startswith("TS-") and receipt["status"] == "received"
    status = client.get(f"/api/complaints/status/{receipt['tracking']}").json()
    assert status["status"] == "received" and status["clock"] in ("running", "due_today", "unknown")
    assert "description" not in status and "contact" not in status  # the public sees status and reply only


@pytest.mark.parametrize(
    "path",
    [
        "/complaints",
        "/complaints/1",
        "/complaints/export?format=csv",
        "/complaints/stats",
        "/complaints/1/attachments/1",
    ],
)
def test_staff_screens_send_anonymous_to_login(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_anonymous_reaches_only_login_and_public_complaint_pages(client: TestClient, store: Store) -> None:
    client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "seed"})
    for path in ("/api/complaints", "/api/complaints/1", "/api/complaints/stats"):
        assert client.get(path).status_code == 401, path
    token = csrf_of(client, "/complaint")
    for path, data in [
        ("/complaints/1/assign", {"assignee_id": "1"}),
        ("/complaints/1/status", {"to": "closed"}),
        ("/complaints/1/notes", {"text": "x"}),
        ("/complaints/1/reply", {"reply": "x"}),
    ]:
        r = client.post(path, data={**data, "csrf_token": token})
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in ("/api/complaints/1/status", "/api/complaints/1/reply"):
        assert (
            client.post(path, json={"to": "closed", "text": "x"}, headers={"X-CSRF-Token": token}).status_code
            == 401
        )
    with store.session() as s:
        assert {e.action for e in list_audit(s, entity="complaint")} == {"complaint.submit"}


def test_retry_with_the_same_key_never_duplicates(client: TestClient, store: Store) -> None:
    first = client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "retry-me"})
    again = client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "retry-me"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tracking"] == first.json()["tracking"] and again.json()["created"] is False
    other = client.post(
        "/api/complaints", json=_body("另一件不同的投诉内容。"), headers={"Idempotency-Key": "retry-me"}
    )
    assert other.status_code == 422 and other.json()["problems"][0]["field"] == "Idempotency-Key"
    bad_key = client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "<b>"})
    assert bad_key.status_code == 422
    with store.session() as s:
        assert count_complaints(s) == 1


def test_staff_flow_through_the_api(as_role, store: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    tracking = client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "flow"}).json()[
        "tracking"
    ]
    token = csrf_of(client, "/complaints")
    h = {"X-CSRF-Token": token}
    page = client.get("/api/complaints?status=open").json()
    assert page["total"] == 1 and page["items"][0]["description"] == TEXT
    cid = page["items"][0]["id"]
    me = client.get("/api/me").json()["id"]
    assert (
        client.post(f"/api/complaints/{cid}/assign", json={"assignee_id": me}, headers=h).json()["assignee"]
        == "reviewer"
    )
    moved = client.post(f"/api/complaints/{cid}/status", json={"to": "waiting_reporter"}, headers=h).json()
    assert moved["clock"] == "paused" and moved["due"] is None
    assert client.get(f"/api/complaints/status/{tracking}").json()["clock"] == "paused"
    bad = client.post(f"/api/complaints/{cid}/status", json={"to": "nonsense"}, headers=h)
    assert bad.status_code == 422
    noted = client.post(f"/api/complaints/{cid}/notes", json={"text": "内部：已转产品团队"}, headers=h).json()
    assert noted["notes"][0]["text"] == "内部：已转产品团队"
    replied = client.post(
        f"/api/complaints/{cid}/reply", json={"text": "已删除相关内容，感谢反馈。"}, headers=h
    ).json()
    assert replied["status"] == "replied" and replied["clock"] in ("answered", "answered_late")
    public = client.get(f"/api/complaints/status/{tracking}").json()
    assert public["reply"] == "已删除相关内容，感谢反馈。" and "notes" not in public
    stats = client.get(f"/api/complaints/stats?year={dt.date.today().year}").json()
    assert sum(m["received"] for m in stats["months"]) == 1
    with store.session() as s:
        actions = [e.action for e in reversed(list_audit(s, entity="complaint"))]
    assert actions == [
        "complaint.submit",
        "complaint.assign",
        "complaint.status",
        "complaint.note",
        "complaint.reply",
    ]


def test_viewer_reads_the_queue_but_changes_nothing(as_role) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "v"})
    assert client.get("/complaints").status_code == 200
    assert client.get("/complaints/1").status_code == 200
    assert 'id="reply-form"' not in client.get("/complaints/1").text
    token = csrf_of(client, "/complaints")
    assert client.post("/complaints/1/reply", data={"reply": "x", "csrf_token": token}).status_code == 403
    assert (
        client.post(
            "/api/complaints/1/status", json={"to": "closed"}, headers={"X-CSRF-Token": token}
        ).status_code
        == 403
    )


def test_html_form_escapes_text_sanitises_names_and_never_duplicates(as_role, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    form = client.get("/complaint").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    key = _KEY.search(form).group(1)  # type: ignore[union-attr]
    data = {
        "category": "harmful_content",
        "description": TEXT,
        "contact": "",
        "csrf_token": token,
        "idempotency_key": key,
    }
    files = [("attachments", ("<img src=x onerror=alert(1)>.png", PNG, "image/png"))]
    r = client.post("/complaint", data=data, files=files)
    assert r.status_code == 303 and "/complaint/status?tracking=TS-" in r.headers["location"]
    again = client.post("/complaint", data=data, files=files)  # a double click or a browser retry
    assert again.headers["location"] == r.headers["location"]
    receipt = client.get(r.headers["location"])
    assert receipt.status_code == 200 and 'id="tracking"' in receipt.text
    staff = as_role("admin")
    page = staff.get("/complaints/1").text
    assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "onerror=alert" not in page  # the file name lost its markup
    assert "<img" not in page.split("<main>")[1]
    att = staff.get("/complaints/1/attachments/1")
    assert att.status_code == 200 and att.content == PNG
    assert att.headers["content-disposition"].startswith("attachment;")
    assert (
        att.headers["x-content-type-options"] == "nosniff"
        and "sandbox" in att.headers["content-security-policy"]
    )
    queue = staff.get("/complaints").text
    assert queue.count("data-id=") == 1


def test_form_errors_keep_what_was_typed(client: TestClient, store: Store) -> None:
    token = csrf_of(client, "/complaint")
    r = client.post(
        "/complaint",
        data={"category": "", "description": "短", "contact": "x", "csrf_token": token},
        files=[("attachments", ("a.png", PDF, "image/png"))],
    )
    assert r.status_code == 422
    assert (
        'id="category-error"' in r.text and 'id="description-error"' in r.text and "application/pdf" in r.text
    )
    assert ">短</textarea>" in r.text
    with store.session() as s:
        assert count_complaints(s) == 0


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("word/media/x.bin", b"\x00" * (80 * 1024 * 1024))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (
            {"filename": "a.png", "content_type": "image/png", "data_base64": base64.b64encode(PDF).decode()},
            "declared as image/png",
        ),
        (
            {
                "filename": "bomb.docx",
                "content_type": "",
                "data_base64": base64.b64encode(_zip_bomb()).decode(),
            },
            "zip bomb",
        ),
        (
            {
                "filename": "x.html",
                "content_type": "text/html",
                "data_base64": base64.b64encode(b"<script>1</script>").decode(),
            },
            "text/plain",
        ),
        ({"filename": "x.png", "content_type": "image/png", "data_base64": "not base64!"}, "base64"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    client: TestClient, store: Store, attachment: dict[str, str], message: str
) -> None:
    r = client.post(
        "/api/complaints", json=_body(attachments=[attachment]), headers={"Idempotency-Key": "bad"}
    )
    assert r.status_code == 422 and message in r.text, r.text
    assert r.json()["problems"][0]["field"].startswith("attachments[0]")
    with store.session() as s:
        assert count_complaints(s) == 0


def test_an_oversized_request_is_refused_before_it_is_read(client: TestClient) -> None:
    huge = str(50 * 1024 * 1024)
    r = client.post(
        "/api/complaints", content=b"{}", headers={"Content-Length": huge, "Content-Type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "too_large"

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * (1 << 20)

    r = client.post("/api/complaints", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "提交内容过大" in r.json()["message_zh"]
    token = csrf_of(client, "/complaint")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (40 * 1024 * 1024)
    r = client.post(
        "/complaint", data={"csrf_token": token}, files=[("attachments", ("a.png", big, "image/png"))]
    )
    assert r.status_code == 413 and "提交内容过大" in r.text


def test_a_flood_from_one_address_gets_a_clear_message(client: TestClient, store: Store) -> None:
    client.app.state.complaint_policy = load_policy().with_rate_limit(2, 600)  # type: ignore[attr-defined]
    for i in range(2):
        assert (
            client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": f"f{i}"}).status_code
            == 201
        )
    r = client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "f2"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert "过于频繁" in r.json()["message_zh"] and "try again" in r.json()["message"]
    # a retry of an accepted submission is still answered (never locked out of its own receipt)
    assert client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "f0"}).status_code == 200
    token = csrf_of(client, "/complaint")
    page = client.post("/complaint", data={**_body(), "category": "harmful_content", "csrf_token": token})
    assert page.status_code == 429 and 'id="rate-limited"' in page.text and "分钟后再试" in page.text
    with store.session() as s:
        assert count_complaints(s) == 2


def test_queue_filters_export_stats_and_dashboard(as_role, store: Store) -> None:  # type: ignore[no-untyped-def]
    policy = load_policy()
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=45)
    with store.session() as s:
        draft = draft_complaint(
            category="minors",
            description="=1+1 未成年人模式失效的投诉。",
            contact="",
            files=[],
            policy=policy,
        )
        submit_complaint(s, draft=draft, policy=policy, now=old)
    client = as_role("admin")
    client.post("/api/complaints", json=_body(), headers={"Idempotency-Key": "fresh"})
    overdue = client.get("/complaints?overdue=1").text
    assert overdue.count("data-id=") == 1 and "已逾期" in overdue
    assert client.get("/api/complaints?overdue=true").json()["total"] == 1
    assert client.get("/complaints?category=minors").text.count("data-id=") == 1
    assert client.get("/complaints?assignee=none").text.count("data-id=") == 2
    dash = client.get("/").text
    assert 'id="overdue-complaints"' in dash and "minors" in dash
    xlsx = client.get("/complaints/export?format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3 and any(r[9] == "'=1+1 未成年人模式失效的投诉。" for r in rows[1:])
    csv_text = client.get("/complaints/export?format=csv").content.decode("utf-8-sig")
    assert csv_text.startswith("受理编号,")
    assert client.get("/complaints/export?format=pdf").status_code == 422
    assert client.get("/complaints/stats").status_code == 200


@pytest.mark.postgres
def test_complaint_flow_on_postgres(tmp_path: Path, pg_scratch_url: str) -> None:
    from storage.databases import _reset_pg

    _reset_pg(pg_scratch_url)
    store = open_store(pg_scratch_url, migrate=True)
    seed_users(store)
    try:
        with TestClient(
            create_app(make_settings(tmp_path, pg_scratch_url), store=store), follow_redirects=False
        ) as c:
            first = c.post(
                "/api/complaints", json=_body(attachments=[_png()]), headers={"Idempotency-Key": "pg"}
            )
            again = c.post(
                "/api/complaints", json=_body(attachments=[_png()]), headers={"Idempotency-Key": "pg"}
            )
            assert (first.status_code, again.status_code) == (201, 200)
            login(c, "reviewer")
            token = csrf_of(c, "/complaints")
            r = c.post("/api/complaints/1/reply", json={"text": "已处理"}, headers={"X-CSRF-Token": token})
            assert r.status_code == 200 and r.json()["attachments"][0]["size"] == len(PNG)
            assert c.get(f"/api/complaints/status/{first.json()['tracking']}").json()["reply"] == "已处理"
        with store.session() as s:
            assert count_complaints(s) == 1
    finally:
        store.dispose()


def test_the_providers_policy_file_is_what_the_intake_publishes(
    tmp_path: Path, sqlite_url: str, store: Store
) -> None:
    source = Path(__file__).resolve().parents[2] / "src/aibeian/complaints/data/policy.yaml"
    own = tmp_path / "policy.yaml"
    own.write_text(
        source.read_text(encoding="utf-8").replace("违法违规内容", "违法违规信息（本公司）"), encoding="utf-8"
    )
    app = create_app(make_settings(tmp_path, sqlite_url, complaint_policy=own), store=store)
    with TestClient(app) as c:
        assert "违法违规信息（本公司）" in c.get("/complaint").text

    broken = tmp_path / "broken.yaml"
    broken.write_text("reply_working_days: fifteen\ncategories: []\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        create_app(make_settings(tmp_path, sqlite_url, complaint_policy=broken), store=store)
    assert "broken.yaml" in str(info.value)
