"""Access control on the jobs, dossier and labels screens: anonymous users reach none of them, a viewer reads
but cannot start, cancel or change anything, and every change needs the CSRF token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from aibeian.storage import Actor, Store, count_jobs, create_filing, create_service, enqueue_job
from web.conftest import csrf_of, login

PAGES = ["/jobs", "/jobs/1", "/jobs/1/progress", "/dossier", "/dossier/1", "/dossier/1/facts.yaml", "/labels"]
API = ["/api/jobs", "/api/jobs/1", "/api/filings/1/dossier"]
CHANGES = [
    ("/evaluations/start", {"name": "x"}),
    ("/jobs/1/cancel", {}),
    ("/dossier/1/facts", {"company.name": "x"}),
    ("/dossier/1/options", {"lang": "en"}),
    ("/dossier/1/build", {}),
]


@pytest.fixture
def seeded(client: TestClient, store: Store) -> TestClient:
    with store.session() as s:
        sid = create_service(s, name="客服", actor=Actor(name="t")).id
        create_filing(s, service_id=sid, type="algorithm", actor=Actor(name="t"))
        enqueue_job(s, kind="evaluation", params={}, actor=Actor(name="t"))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_login(seeded: TestClient, path: str) -> None:
    r = seeded.get(path)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", API)
def test_anonymous_api_is_401(seeded: TestClient, path: str) -> None:
    assert seeded.get(path).status_code == 401


def test_a_viewer_reads_but_changes_nothing(seeded: TestClient, store: Store) -> None:
    login(seeded, "viewer")
    for path in PAGES:
        assert seeded.get(path).status_code == 200, path
    token = csrf_of(seeded, "/jobs")
    for path, data in CHANGES:
        assert seeded.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert seeded.post("/api/jobs/1/cancel", headers={"X-CSRF-Token": token}).status_code == 403
    assert (
        seeded.post("/api/filings/1/dossier/build", json={}, headers={"X-CSRF-Token": token}).status_code
        == 403
    )
    with store.session() as s:
        assert count_jobs(s, status="queued") == 1


def test_changes_need_the_csrf_token(seeded: TestClient) -> None:
    login(seeded, "admin")
    for path, data in CHANGES:
        assert seeded.post(path, data=data).status_code == 403, path
    assert seeded.post("/api/jobs/1/cancel").status_code == 403
