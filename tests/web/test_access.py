"""Access control: anonymous reaches only the login page; a viewer reads but cannot change anything;
every form needs the CSRF token; login attempts are rate limited."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from aibeian.storage import Actor, create_filing, create_service, list_audit, open_store
from aibeian.web import create_app
from web.conftest import PASSWORD, csrf_of, login, make_settings, seed_users

PAGES = ["/", "/services", "/services/1", "/filings/1", "/triage", "/evaluations", "/audit", "/users"]
CHANGES = [
    ("/services", {"name": "x"}),
    ("/services/1", {"name": "x", "description": ""}),
    ("/services/1/filings", {"type": "genai"}),
    ("/filings/1/status", {"to": "submitted"}),
    ("/filings/1/deadline", {"deadline": "2030-01-01"}),
    ("/triage", {"action": "save", "service_id": "1"}),
    ("/users", {"username": "mallory", "password": "x" * 12, "role": "admin"}),
]
API_CHANGES = [
    ("/api/services", {"name": "x"}),
    ("/api/services/1/filings", {"type": "genai"}),
    ("/api/filings/1/transition", {"to": "submitted"}),
]


@pytest.fixture
def seeded(client: TestClient, store) -> TestClient:  # type: ignore[no-untyped-def]
    with store.session() as s:
        sid = create_service(s, name="客服", actor=Actor(name="t")).id
        create_filing(s, service_id=sid, type="algorithm", actor=Actor(name="t"))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(seeded: TestClient, path: str) -> None:
    r = seeded.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/services", "/api/filings", "/api/dashboard", "/api/me", "/api/runs"])
def test_anonymous_api_is_401(seeded: TestClient, path: str) -> None:
    assert seeded.get(path).status_code == 401


def test_anonymous_can_post_nothing(seeded: TestClient, store) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(seeded)
    for path, data in CHANGES:
        r = seeded.post(path, data={**data, "csrf_token": token})
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    with store.session() as s:
        assert [e.action for e in list_audit(s)] == ["filing.create", "service.create", *["user.create"] * 3]


def test_login_page_and_static_are_public(client: TestClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/static/htmx.min.js").status_code == 200


def test_viewer_reads_everything_but_changes_nothing(seeded: TestClient, store) -> None:  # type: ignore[no-untyped-def]
    login(seeded, "viewer")
    for path in PAGES[:-1]:
        assert seeded.get(path).status_code == 200, path
    assert seeded.get("/users").status_code == 403
    token = csrf_of(seeded, "/")
    for path, data in CHANGES:
        r = seeded.post(path, data={**data, "csrf_token": token})
        assert r.status_code == 403, (path, r.status_code)
    for path, body in API_CHANGES:
        r = seeded.post(path, json=body, headers={"X-CSRF-Token": token})
        assert r.status_code == 403, path
    page = seeded.get("/services/1").text
    assert 'action="/services/1/filings"' not in page  # no forms drawn that it may not use
    with store.session() as s:
        assert {e.action for e in list_audit(s)} <= {
            "filing.create",
            "service.create",
            "user.create",
            "user.login",
        }


def test_reviewer_cannot_manage_users(seeded: TestClient) -> None:
    login(seeded, "reviewer")
    token = csrf_of(seeded, "/")
    assert seeded.get("/users").status_code == 403
    r = seeded.post(
        "/users", data={"username": "m", "password": "x" * 12, "role": "admin", "csrf_token": token}
    )
    assert r.status_code == 403


def test_forms_without_csrf_token_are_refused(seeded: TestClient) -> None:
    login(seeded, "admin")
    r = seeded.post("/services", data={"name": "no token"})
    assert r.status_code == 403 and "表单已过期" in r.text
    r = seeded.post("/services", data={"name": "wrong token", "csrf_token": "forged"})
    assert r.status_code == 403
    r = seeded.post("/api/services", json={"name": "no header"})
    assert r.status_code == 403 and r.json()["error"] == "csrf"
    r = seeded.post("/logout")
    assert r.status_code == 403


def test_login_without_csrf_is_refused(client: TestClient) -> None:
    r = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403


def test_wrong_password_then_rate_limit(tmp_path: Path, sqlite_url: str, store) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, sqlite_url, login_max_attempts=3)
    with TestClient(create_app(settings, store=store), follow_redirects=False) as c:
        token = csrf_of(c)
        for _ in range(3):
            r = c.post(
                "/login", data={"username": "admin", "password": "wrong-password", "csrf_token": token}
            )
            assert r.status_code == 401 and "用户名或密码错误" in r.text
        r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 429 and "登录失败次数过多" in r.text
        # another account from the same address is not locked out by someone else's failures
        r = c.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 303


def test_open_redirect_is_not_followed(client: TestClient) -> None:
    token = csrf_of(client)
    r = client.post(
        "/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert r.headers["location"] == "/"


def test_logout_ends_the_session(client: TestClient) -> None:
    login(client, "admin")
    token = csrf_of(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_password_change_signs_out_open_sessions(client: TestClient, store) -> None:  # type: ignore[no-untyped-def]
    from aibeian.storage import set_password

    login(client, "reviewer")
    assert client.get("/").status_code == 200
    with store.session() as s:
        set_password(s, username="reviewer", password="another-long-password", actor=Actor(name="t"))
    assert client.get("/").status_code == 303


@pytest.mark.postgres
def test_access_control_on_postgres(tmp_path: Path, pg_scratch_url: str) -> None:
    from storage.databases import _reset_pg

    _reset_pg(pg_scratch_url)
    store = open_store(pg_scratch_url, migrate=True)
    seed_users(store)
    try:
        with TestClient(
            create_app(make_settings(tmp_path, pg_scratch_url), store=store), follow_redirects=False
        ) as c:
            assert c.get("/").status_code == 303
            login(c, "viewer")
            assert c.get("/").status_code == 200
            token = csrf_of(c, "/")
            assert c.post("/services", data={"name": "x", "csrf_token": token}).status_code == 403
    finally:
        store.dispose()
