"""The dossier screen: the facts form writes the file ``aibeian dossier check`` reads, validated by the
dossier package with messages next to the fields; completeness comes from ``check_dossier``; a build runs
as a background job in a real worker and the package downloads and verifies."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aibeian.dossier import load_facts, verify_package
from aibeian.jobs import Worker, WorkerOptions
from aibeian.settings import Settings
from aibeian.storage import Actor, Store, create_filing, create_service, get_job
from web.conftest import login

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "dossier"
ME = Actor(name="test")


@pytest.fixture
def filing_id(store: Store) -> int:
    with store.session() as s:
        service = create_service(s, name="示例智能助手", description="", actor=ME)
        return create_filing(s, service_id=service.id, type="algorithm", actor=ME).id


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert match
    return match.group(1)


def example_form(name: str) -> dict[str, Any]:
    """The form a person would submit to enter the example facts file."""
    facts = load_facts(EXAMPLES / name)
    form: dict[str, Any] = {"role": facts.role}
    if facts.calls_third_party_model:
        form["calls_third_party_model"] = "on"
    for path, value in facts.values.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for i, row in enumerate(value):
                for col, cell in row.items():
                    form[f"{path}.{i}.{col}"] = str(cell)
        elif isinstance(value, list):
            form[path] = "\n".join(str(v) for v in value)
        elif value is not None:
            form[path] = str(value)
    return form


def test_first_visit_starts_an_empty_facts_file(as_role, filing_id: int, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    page = client.get(f"/dossier/{filing_id}")
    assert page.status_code == 200, page.text[-1500:]
    assert 'id="not-ready"' in page.text and 'id="completeness-percent">0%' in page.text
    assert 'name="company.name"' in page.text and 'id="missing"' in page.text
    facts = settings.dossier_root() / f"filing-{filing_id}" / "facts.yaml"
    assert load_facts(facts).filing == "algorithm"
    assert f'href="/dossier/{filing_id}"' in client.get("/dossier").text


def test_wrong_values_are_refused_next_to_their_field(as_role, filing_id: int, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    token = _csrf(client, f"/dossier/{filing_id}")
    form = example_form("facts-algorithm.yaml")
    form |= {
        "company.security_team_size": "twelve",
        "service.launch_date": "next spring",
        "csrf_token": token,
    }
    r = client.post(f"/dossier/{filing_id}/facts", data=form)
    assert r.status_code == 422
    assert 'id="company.security_team_size-error"' in r.text and "whole number" in r.text
    assert 'id="service.launch_date-error"' in r.text
    assert 'value="twelve"' in r.text  # what was typed is shown again, not lost
    saved = load_facts(settings.dossier_root() / f"filing-{filing_id}" / "facts.yaml")
    assert saved.is_empty("company.name")  # the bad form did not overwrite the file


def test_complete_facts_build_and_download(as_role, filing_id: int, store: Store, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    token = _csrf(client, f"/dossier/{filing_id}")
    r = client.post(
        f"/dossier/{filing_id}/facts", data={**example_form("facts-algorithm.yaml"), "csrf_token": token}
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/dossier/{filing_id}").text
    assert 'id="ready"' in page and 'id="completeness-percent">100%' in page
    api = client.get(f"/api/filings/{filing_id}/dossier").json()
    assert api["check"]["ready"] is True and api["percent"] == 100
    r = client.post(f"/dossier/{filing_id}/build", data={"csrf_token": token})
    assert r.status_code == 303
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert Worker(store, WorkerOptions(poll_seconds=0.05)).run_once() == job_id
    with store.session() as s:
        job = get_job(s, job_id=job_id)
    assert job.status == "succeeded", job.error
    assert f"/dossier/{filing_id}/package/{job_id}" in client.get(f"/jobs/{job_id}").text
    download = client.get(f"/dossier/{filing_id}/package/{job_id}")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert "attachment" in download.headers["content-disposition"]
    path = settings.home / "downloaded.zip"
    path.write_bytes(download.content)
    report = verify_package(path)
    assert report["ok"], report
    names = zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    assert any(n.startswith("algorithm-self-assessment") for n in names)
    assert client.get(f"/dossier/{filing_id}/package/{job_id + 1}").status_code == 404


def test_checklist_answers_from_the_checklist_screen_reach_the_dossier_check(
    as_role, filing_id: int, store: Store
) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    token = _csrf(client, f"/dossier/{filing_id}")
    form = {**example_form("facts-algorithm.yaml"), "csrf_token": token}
    assert client.post(f"/dossier/{filing_id}/facts", data=form).status_code == 303
    assert client.get(f"/api/filings/{filing_id}/dossier").json()["check"]["ready"] is True
    with store.session() as s:
        from aibeian.storage import get_filing

        service_id = get_filing(s, filing_id=filing_id).service_id
    r = client.put(
        f"/api/services/{service_id}/checklist/csl.logs.six_months",
        json={"answer": "no", "note": "日志只保存 30 天"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200
    check = client.get(f"/api/filings/{filing_id}/dossier").json()["check"]
    assert check["ready"] is False
    assert "csl.logs.six_months" in [g["id"] for g in check["checklist_gaps"]]
    assert "csl.logs.six_months" in client.get(f"/dossier/{filing_id}").text


def test_a_build_that_fails_shows_why(as_role, filing_id: int, store: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("admin")
    token = _csrf(client, f"/dossier/{filing_id}")
    r = client.post(f"/api/filings/{filing_id}/dossier/build", json={}, headers={"X-CSRF-Token": token})
    assert r.status_code == 201
    job_id = r.json()["id"]
    # the facts are still empty: the documents build with 【待填写】 markers, so make the build itself fail
    folder = Path(r.json()["params"]["out"])
    folder.mkdir(parents=True)
    (folder / "documents").mkdir()
    (folder / "documents" / "in-the-way.txt").write_text("x", encoding="utf-8")
    Worker(store, WorkerOptions(poll_seconds=0.05)).run_once()
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "failed" and "not empty" in job["error"]
    page = client.get(f"/dossier/{filing_id}").text
    assert "not empty" in page
    assert client.get("/").status_code == 200


def test_options_refuse_unknown_runs(as_role, filing_id: int) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    token = _csrf(client, f"/dossier/{filing_id}")
    r = client.post(
        f"/dossier/{filing_id}/options", data={"csrf_token": token, "runs": "evaluation:nope", "lang": "en"}
    )
    assert r.status_code == 422 and 'id="runs-error"' in r.text


def test_a_viewer_reads_but_cannot_change(as_role, filing_id: int) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get(f"/dossier/{filing_id}")
    assert (
        page.status_code == 200
        and 'id="save-facts"' not in page.text
        and 'id="build-dossier"' not in page.text
    )
    token = _csrf(client, f"/dossier/{filing_id}")
    assert client.post(f"/dossier/{filing_id}/facts", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/dossier/{filing_id}/build", data={"csrf_token": token}).status_code == 403


def test_anonymous_is_sent_to_login(client: TestClient, filing_id: int) -> None:
    assert client.get(f"/dossier/{filing_id}").status_code == 303
    assert client.get(f"/api/filings/{filing_id}/dossier").status_code == 401
    login(client, "viewer")
    assert client.get("/dossier/9999").status_code == 404
