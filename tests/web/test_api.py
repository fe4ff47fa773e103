"""The JSON API under /api: the same rules as the screens (roles, CSRF, validation), JSON errors, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aibeian.storage import Store, list_audit
from web.conftest import csrf_of, login

GENAI_NUMBER = "Beijing-DeepseekChat-202404280016"


def _api(client: TestClient, role: str) -> dict[str, str]:
    login(client, role)
    return {"X-CSRF-Token": csrf_of(client, "/")}


def test_service_and_filing_through_the_api(client: TestClient, store: Store) -> None:
    h = _api(client, "reviewer")
    r = client.post("/api/services", json={"name": "写作助手", "description": "d"}, headers=h)
    assert r.status_code == 201
    sid = r.json()["id"]
    r = client.post(
        f"/api/services/{sid}/filings", json={"type": "genai", "deadline": "2030-01-01"}, headers=h
    )
    assert r.status_code == 201 and r.json()["status"] == "preparing"
    fid = r.json()["id"]
    assert (
        client.post(f"/api/filings/{fid}/transition", json={"to": "submitted"}, headers=h).status_code == 200
    )
    r = client.post(
        f"/api/filings/{fid}/transition", json={"to": "approved", "filing_number": "bogus"}, headers=h
    )
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "filing_number"
    r = client.post(
        f"/api/filings/{fid}/transition", json={"to": "approved", "filing_number": GENAI_NUMBER}, headers=h
    )
    assert r.json()["status"] == "approved" and r.json()["filing_number"] == GENAI_NUMBER
    assert [f["id"] for f in client.get("/api/filings?status=approved").json()] == [fid]
    board = client.get("/api/dashboard").json()
    assert board["counts"]["approved"] == 1 and board["deadlines"][0]["kind"] == "annual_update"
    assert client.get(f"/api/services/{sid}").json()["filings"][0]["id"] == fid
    with store.session() as s:
        assert "filing.status" in {e.action for e in list_audit(s)}


def test_duplicate_and_invalid_bodies(client: TestClient) -> None:
    h = _api(client, "admin")
    client.post("/api/services", json={"name": "x"}, headers=h)
    r = client.post("/api/services", json={"name": "x"}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "input"
    r = client.post("/api/services", json={"name": ""}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/services/1/filings", json={"type": "icp"}, headers=h)
    assert r.status_code == 422


def test_triage_api(client: TestClient) -> None:
    h = _api(client, "viewer")
    answers = {
        "entity_type": "domestic_company",
        "public_in_china": True,
        "generative": True,
        "modalities": ["text"],
        "model_source": "fine_tuned",
        "provides_to_businesses": False,
        "registered_users": 100,
        "handles_sensitive_content": False,
        "icp": "filing",
    }
    r = client.post("/api/triage", json=answers, headers=h)
    assert r.status_code == 200 and {f["type"] for f in r.json()["filings"]} >= {"genai"}
    r = client.post("/api/triage", json={**answers, "icp": "maybe"}, headers=h)
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "icp"


def test_me_and_openapi(client: TestClient) -> None:
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/api/docs").status_code in (303, 404)
    _api(client, "viewer")
    assert client.get("/api/me").json()["role"] == "viewer"
    schema = client.get("/api/openapi.json").json()
    assert {"/api/services", "/api/filings/{filing_id}/transition", "/api/triage"} <= set(schema["paths"])
    assert not any(p.startswith("/services") for p in schema["paths"])  # the screens are not API


def test_a_body_that_fails_validation_names_the_field_and_never_echoes_it(client: TestClient) -> None:
    h = _api(client, "admin")
    r = client.post("/api/services", json={"description": "d"}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "input"
    assert [p["field"] for p in r.json()["problems"]] == ["name"]
    # A lone surrogate is valid JSON but not valid Unicode: FastAPI's own handler would echo it back and
    # fail to encode the answer (a 500); ours answers 422 without repeating the input.
    body = b'{"name": ["\\ud800"]}'
    r = client.post("/api/services", content=body, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "name"
    assert "\\ud800" not in r.text
    # A lone surrogate in a free-text field passes validation and stops at the database: still a 422.
    body = b'{"name": "ok", "description": "\\udfff"}'
    r = client.post("/api/services", content=body, headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and "surrogate" in r.json()["message"]
    assert client.get("/api/services").json() == []
