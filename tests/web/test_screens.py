"""The screens through HTTP, in-process: services, filings, triage, audit, users, language switch."""

from __future__ import annotations

from fastapi.testclient import TestClient

from aibeian.storage import Store, latest_triage, list_audit
from web.conftest import csrf_of, login

GENAI_NUMBER = "Beijing-DeepseekChat-202404280016"
ALGO_NUMBER = "网信算备110108970550101240011号"


def _new_service(c: TestClient, name: str = "智能客服") -> int:
    r = c.post(
        "/services", data={"name": name, "description": "对外聊天", "csrf_token": csrf_of(c, "/services")}
    )
    assert r.status_code == 303
    return int(r.headers["location"].rsplit("/", 1)[1])


def test_service_and_filing_journey(client: TestClient, store: Store) -> None:
    login(client, "reviewer")
    sid = _new_service(client)
    token = csrf_of(client, f"/services/{sid}")
    r = client.post(
        f"/services/{sid}/filings",
        data={"type": "genai", "deadline": "2030-05-01", "deadline_note": "提交", "csrf_token": token},
    )
    fid = int(r.headers["location"].rsplit("/", 1)[1])
    service_page = client.get(f"/services/{sid}").text
    assert f'href="/checklist/{sid}"' in service_page and f'href="/dossier/{fid}"' in service_page
    assert client.get(f"/checklist/{sid}").status_code == 200
    assert client.get(f"/dossier/{fid}").status_code == 200
    for step in ("submitted", "feedback", "submitted"):
        assert (
            client.post(f"/filings/{fid}/status", data={"to": step, "csrf_token": token}).status_code == 303
        )
    page = client.get(f"/filings/{fid}").text
    assert 'id="rounds">1<' in page
    r = client.post(
        f"/filings/{fid}/status", data={"to": "approved", "filing_number": ALGO_NUMBER, "csrf_token": token}
    )
    assert r.status_code == 422
    assert 'id="filing_number-error"' in r.text and "genai" in r.text  # message next to the field
    assert f'value="{ALGO_NUMBER}"' in r.text  # what was typed stays in the field
    r = client.post(
        f"/filings/{fid}/status", data={"to": "approved", "filing_number": GENAI_NUMBER, "csrf_token": token}
    )
    assert r.status_code == 303
    page = client.get(f"/filings/{fid}").text
    assert GENAI_NUMBER in page and "已通过" in page
    dashboard = client.get("/").text
    assert 'id="count-approved">1<' in dashboard and "年度更新" in dashboard
    with store.session() as s:
        mine = [e.action for e in list_audit(s) if e.actor_name == "reviewer"]
    assert mine[:6] == ["filing.status"] * 4 + ["filing.create", "service.create"]


def test_service_form_errors_are_next_to_the_field(client: TestClient) -> None:
    login(client, "admin")
    _new_service(client, "重复")
    r = client.post("/services", data={"name": "重复", "csrf_token": csrf_of(client, "/services")})
    assert r.status_code == 422 and 'id="name-error"' in r.text and "exists already" in r.text
    r = client.post("/services", data={"name": "  ", "csrf_token": csrf_of(client, "/services")})
    assert r.status_code == 422 and "the name is empty" in r.text


def test_bad_dates_and_transitions_are_field_errors(client: TestClient) -> None:
    login(client, "admin")
    sid = _new_service(client)
    token = csrf_of(client, f"/services/{sid}")
    r = client.post(
        f"/services/{sid}/filings", data={"type": "genai", "deadline": "next week", "csrf_token": token}
    )
    assert r.status_code == 422 and 'id="deadline-error"' in r.text
    r = client.post(f"/services/{sid}/filings", data={"type": "icp", "csrf_token": token})
    assert r.status_code == 422 and 'id="type-error"' in r.text
    r = client.post(f"/services/{sid}/filings", data={"type": "algorithm", "csrf_token": token})
    fid = int(r.headers["location"].rsplit("/", 1)[1])
    r = client.post(f"/filings/{fid}/status", data={"to": "approved", "csrf_token": token})
    assert r.status_code == 422 and 'id="status-error"' in r.text


def test_missing_things_are_404_pages(client: TestClient) -> None:
    login(client, "viewer")
    assert client.get("/services/999").status_code == 404
    assert "未找到" in client.get("/filings/999").text
    assert client.get("/api/services/999").json()["error"] == "not_found"


def test_triage_wizard_validates_assesses_and_saves(client: TestClient, store: Store) -> None:
    login(client, "reviewer")
    sid = _new_service(client)
    token = csrf_of(client, "/triage")
    page = client.get("/triage").text
    assert "提供服务的主体是哪类机构" in page  # questions come from the standards questionnaire
    answers = {
        "entity_type": "domestic_company",
        "public_in_china": "true",
        "generative": "true",
        "modalities": ["text"],
        "model_source": "fine_tuned",
        "provides_to_businesses": "false",
        "registered_users": "lots",
        "handles_sensitive_content": "false",
        "icp": "filing",
        "csrf_token": token,
    }
    r = client.post("/triage", data=answers)
    assert r.status_code == 422 and 'id="registered_users-error"' in r.text
    assert 'value="lots"' in r.text
    answers["registered_users"] = "50000"
    r = client.post("/triage", data=answers)
    assert r.status_code == 200 and 'id="result"' in r.text and "大模型备案" in r.text
    r = client.post("/triage", data={**answers, "action": "save"})
    assert r.status_code == 422 and 'id="service_id-error"' in r.text
    r = client.post("/triage", data={**answers, "action": "save", "service_id": str(sid)})
    assert r.status_code == 303 and r.headers["location"] == f"/services/{sid}"
    with store.session() as s:
        entry = latest_triage(s, service_id=sid)
        assert entry is not None and entry.answers["registered_users"] == 50000
    prefilled = client.get(f"/triage?service_id={sid}").text
    assert 'value="50000"' in prefilled


def test_english_switch(client: TestClient) -> None:
    login(client, "viewer")
    assert "仪表盘" in client.get("/").text
    r = client.get("/lang/en?next=/services")
    assert r.status_code == 303 and r.headers["location"] == "/services"
    page = client.get("/").text
    assert "Dashboard" in page and "仪表盘" not in page and 'lang="en"' in page
    client.get("/lang/zh")
    assert "仪表盘" in client.get("/").text


def test_admin_creates_users_with_field_errors(client: TestClient) -> None:
    login(client, "admin")
    token = csrf_of(client, "/users")
    r = client.post(
        "/users", data={"username": "bob", "password": "short", "role": "viewer", "csrf_token": token}
    )
    assert r.status_code == 422 and 'id="password-error"' in r.text
    r = client.post(
        "/users",
        data={"username": "bob", "password": "long-enough-pw", "role": "viewer", "csrf_token": token},
    )
    assert r.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    login(client, "bob", "long-enough-pw")
    assert client.get("/users").status_code == 403


def test_audit_page_lists_changes_escaped(client: TestClient) -> None:
    login(client, "admin")
    _new_service(client, "<script>alert(1)</script>")
    page = client.get("/audit").text
    assert "service.create" in page and "<script>alert(1)" not in page
    assert "&lt;script&gt;" in client.get("/services").text
