"""Checklist screen (issue #11): the items a service's saved triage selects, answers with notes and evidence
written to an answers file ``aibeian checklist answer`` accepts, progress per law, gaps in the CLI's order,
every change audited, uploads of the wrong type or size refused, viewers read only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from aibeian.checklist import applicable_items, check_answers, load_checklist
from aibeian.cli.main import cli
from aibeian.settings import Settings
from aibeian.storage import Store, list_audit, load_demo
from aibeian.triage import TriageResult
from aibeian.web._checklist_store import answers_path
from web.conftest import csrf_of

PDF = b"%PDF-1.4\n% evidence\n"


@pytest.fixture
def demo_db(store: Store) -> Store:
    with store.session() as s:
        load_demo(s)  # services 1 (chatbot: genai + algorithm), 2 (news feed: algorithm), 3 (writer)
    return store


def _triage(store: Store, service_id: int) -> TriageResult:
    from aibeian.storage import latest_triage

    with store.session() as s:
        entry = latest_triage(s, service_id=service_id)
        assert entry is not None
        return TriageResult.model_validate(entry.result)


def _answer(client: TestClient, sid: int, item: str, answer: str, **extra: object) -> object:
    files = extra.pop("files", None)
    data = {"csrf_token": csrf_of(client, f"/checklist/{sid}"), "answer": answer, **extra}
    return client.post(f"/checklist/{sid}/items/{item}", data=data, files=files)  # type: ignore[arg-type]


def _item_ids(page: str) -> list[str]:
    return re.findall(r'<div class="card checklist-item" id="item-([^"]+)">', page)


def test_items_are_those_the_saved_triage_selects(as_role, demo_db: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    checklist = load_checklist()
    for sid in (1, 2):
        page = client.get(f"/checklist/{sid}")
        assert page.status_code == 200
        expected = [it.id for it in applicable_items(checklist, _triage(demo_db, sid))]
        assert _item_ids(page.text) == expected
    feed = set(_item_ids(client.get("/checklist/2").text))
    chatbot = set(_item_ids(client.get("/checklist/1").text))
    assert chatbot - feed  # genai-only items (training data, annotation…) are not asked of a news feed
    pipl = _item_ids(client.get("/checklist/1?law=pipl").text)
    assert pipl and all(i.startswith("pipl.") for i in pipl)


def test_untriaged_service_lists_every_item_and_says_so(as_role, demo_db: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    token = csrf_of(client, "/services")
    r = client.post("/services", data={"csrf_token": token, "name": "新服务"})
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/checklist/{sid}").text
    assert 'id="no-triage"' in page and len(_item_ids(page)) == len(load_checklist().items)


def test_answers_file_is_what_the_cli_reads_and_gaps_are_in_its_order(
    as_role, demo_db: Store, settings: Settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    r = _answer(
        client,
        1,
        "pipl.notice.privacy_policy",
        "yes",
        note="第3节",
        files={"evidence": ("隐私政策 v2.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#item-pipl.notice.privacy_policy")  # type: ignore[attr-defined]
    assert _answer(client, 1, "csl.logs.six_months", "no", note="只保存 30 天").status_code == 303  # type: ignore[attr-defined]
    assert _answer(client, 1, "pipl.cross_border.mechanism", "na").status_code == 303  # type: ignore[attr-defined]
    path = answers_path(settings, 1)
    (stored,) = (path.parent / "evidence" / "pipl.notice.privacy_policy").glob("*/隐私政策 v2.pdf")
    assert stored.read_bytes() == PDF
    triage_file = tmp_path / "triage.json"
    triage_file.write_text(
        json.dumps(_triage(demo_db, 1).to_json_dict(), ensure_ascii=False), encoding="utf-8"
    )
    out = CliRunner().invoke(
        cli, ["checklist", "answer", str(path), "--triage", str(triage_file), "--format", "json"]
    )
    assert out.exit_code in (0, 1), out.output
    cli_result = json.loads(out.output)
    assert cli_result["answered"] == 3
    page = client.get("/checklist/1").text
    gaps_on_page = re.findall(r'<li><a href="#item-([^"]+)">', page)
    assert gaps_on_page == [g["id"] for g in cli_result["gaps"]]
    assert re.search(r'id="cl-answered">3<', page)
    result = check_answers(path, triage=_triage(demo_db, 1))
    assert next(f for f in result.fulfilled if f.id == "pipl.notice.privacy_policy").evidence == (
        str(stored),
    )
    by_law = re.search(r'<tr id="law-pipl">.*?</tr>', page, re.S)
    p = result.by_law["pipl"]
    assert by_law and f"{p.answered} / {p.applicable}" in by_law.group(0)
    rel = stored.relative_to(path.parent).as_posix()
    assert f'href="/checklist/1/evidence/{rel}"' in page
    assert client.get(f"/checklist/1/evidence/{rel}").content == PDF


def test_every_change_is_audited_with_before_and_after(as_role, demo_db: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    _answer(client, 1, "csl.logs.six_months", "no", note="30 天")
    _answer(client, 1, "csl.logs.six_months", "yes")
    with demo_db.session() as s:
        entries = [e for e in list_audit(s) if e.action == "checklist.answer"]
    assert [e.detail["after"]["answer"] for e in entries] == ["yes", "no"]
    assert entries[0].detail["before"] == {"answer": "no", "note": "30 天"}
    assert entries[0].actor_name == "reviewer" and entries[0].entity_id == 1


def test_wrong_type_or_too_large_uploads_are_refused_and_nothing_is_saved(
    client: TestClient, demo_db: Store, tmp_path: Path, sqlite_url: str
) -> None:
    from aibeian.web import create_app
    from web.conftest import login, make_settings

    small = make_settings(tmp_path, sqlite_url, upload_max_mb=1)
    with TestClient(create_app(small, store=demo_db), follow_redirects=False) as c:
        login(c, "reviewer")
        item = "pipl.notice.privacy_policy"
        r = _answer(
            c, 1, item, "yes", files={"evidence": ("tool.exe", b"MZ\x90", "application/octet-stream")}
        )
        assert r.status_code == 422 and 'id="evidence-error"' in r.text and ".exe" in r.text  # type: ignore[attr-defined]
        r = _answer(c, 1, item, "yes", files={"evidence": ("fake.pdf", b"GIF89a", "application/pdf")})
        assert r.status_code == 422 and "not a .pdf file" in r.text  # type: ignore[attr-defined]
        r = _answer(c, 1, item, "maybe", files={"evidence": ("ok.pdf", PDF, "application/pdf")})
        assert r.status_code == 422 and 'id="answer-error"' in r.text  # type: ignore[attr-defined]
        big = b"%PDF-" + b"0" * (2**20)
        r = _answer(c, 1, item, "yes", files={"evidence": ("big.pdf", big, "application/pdf")})
        assert r.status_code == 422 and "larger than the limit of 1 MiB" in r.text  # type: ignore[attr-defined]
        huge = b"%PDF-" + b"0" * (3 * 2**20)  # past the limit and the form's slack: refused before parsing
        r = _answer(c, 1, item, "yes", files={"evidence": ("huge.pdf", huge, "application/pdf")})
        assert r.status_code == 413  # type: ignore[attr-defined]
        r = _answer(c, 1, item, "maybe")
        assert r.status_code == 422 and 'id="answer-error"' in r.text  # type: ignore[attr-defined]
        assert not answers_path(small, 1).exists()
        assert not [p for p in answers_path(small, 1).parent.rglob("*") if p.is_file() and p.name != ".lock"]


def test_removing_evidence_keeps_the_file_format(as_role, demo_db: Store, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("admin")
    item = "pipl.notice.privacy_policy"
    _answer(client, 1, item, "yes", files={"evidence": ("a.pdf", PDF, "application/pdf")})
    _answer(client, 1, item, "yes", files={"evidence": ("a.pdf", PDF, "application/pdf")})
    answers = check_answers(answers_path(settings, 1))
    first, second = next(f for f in answers.fulfilled if f.id == item).evidence  # two files, both a.pdf
    folder = answers_path(settings, 1).parent
    keep, drop = (Path(p).relative_to(folder).as_posix() for p in (second, first))
    _answer(client, 1, item, "yes", remove=drop)
    text = answers_path(settings, 1).read_text(encoding="utf-8")
    assert keep in text and drop not in text
    assert client.get(f"/checklist/1/evidence/{drop}").status_code == 404  # no longer named by the answers


def test_unknown_item_or_service_is_404(as_role, demo_db: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    assert _answer(client, 1, "pipl.no_such_item", "yes").status_code == 404  # type: ignore[attr-defined]
    assert client.get("/checklist/999").status_code == 404
    climb = client.get(
        "/checklist/1/evidence/../../secret_key"
    )  # the client folds the dots: not a file route
    assert climb.status_code in (404, 422) and "test-secret" not in climb.text
    assert client.get("/checklist/1/evidence/..%2F..%2Fsecret_key").status_code == 404
    assert client.get("/checklist/1/evidence/answers.yaml").status_code == 404


def test_a_broken_hand_edited_answers_file_is_named_not_overwritten(
    as_role, demo_db: Store, settings: Settings
) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    path = answers_path(settings, 1)
    path.parent.mkdir(parents=True)
    path.write_text("pipl.notice.privacy_plicy: yes\n", encoding="utf-8")
    page = client.get("/checklist/1")
    assert page.status_code == 422 and "did you mean pipl.notice.privacy_policy" in page.text
    r = _answer(client, 1, "csl.logs.six_months", "yes")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert path.read_text(encoding="utf-8") == "pipl.notice.privacy_plicy: yes\n"


def test_viewer_reads_but_cannot_answer(as_role, demo_db: Store, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get("/checklist/1")
    assert page.status_code == 200 and "answer-form" not in page.text
    assert _answer(client, 1, "csl.logs.six_months", "yes").status_code == 403  # type: ignore[attr-defined]
    token = csrf_of(client, "/checklist/1")
    api = client.put(
        "/api/services/1/checklist/csl.logs.six_months",
        json={"answer": "yes"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    assert not answers_path(settings, 1).exists()


def test_anonymous_reaches_nothing(client: TestClient, demo_db: Store) -> None:
    for path in ("/checklist", "/checklist/1"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get("/api/services/1/checklist").status_code == 401


def test_api_reads_and_answers(as_role, demo_db: Store, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    before = client.get("/api/services/1/checklist").json()
    assert before["triaged"] is True and before["answered"] == 0 and not before["ready"]
    token = csrf_of(client, "/checklist/1")
    r = client.put(
        "/api/services/1/checklist/csl.logs.six_months",
        json={"answer": "yes", "note": "日志保存 180 天"},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 200 and r.json()["answered"] == 1
    assert "csl.logs.six_months" in answers_path(settings, 1).read_text(encoding="utf-8")
    bad = client.put(
        "/api/services/1/checklist/csl.logs.six_months",
        json={"answer": "maybe"},
        headers={"X-CSRF-Token": token},
    )
    assert bad.status_code == 422
    index = client.get("/checklist").text
    assert "智能客服助手" in index


@pytest.mark.postgres
def test_answers_and_audit_on_postgres(tmp_path: Path, pg_scratch_url: str) -> None:
    from aibeian.storage import open_store
    from aibeian.web import create_app
    from storage.databases import _reset_pg
    from web.conftest import login, make_settings, seed_users

    _reset_pg(pg_scratch_url)
    pg = open_store(pg_scratch_url, migrate=True)
    seed_users(pg)
    with pg.session() as s:
        load_demo(s)
    settings = make_settings(tmp_path, pg_scratch_url)
    try:
        with TestClient(create_app(settings, store=pg), follow_redirects=False) as c:
            login(c, "reviewer")
            expected = [it.id for it in applicable_items(load_checklist(), _triage(pg, 1))]
            assert _item_ids(c.get("/checklist/1").text) == expected
            r = _answer(
                c, 1, "csl.logs.six_months", "yes", files={"evidence": ("log.pdf", PDF, "application/pdf")}
            )
            assert r.status_code == 303  # type: ignore[attr-defined]
        with pg.session() as s:
            entry = next(e for e in list_audit(s) if e.action == "checklist.answer")
        assert entry.detail["after"]["answer"] == "yes" and entry.actor_name == "reviewer"
        assert check_answers(answers_path(settings, 1)).answered == 1
    finally:
        pg.dispose()
