"""Corpus manual review: verdicts recorded one at a time land in the run directory where ``corpus report``
reads them, a reviewer resumes where they stopped, a second reviewer reviews blind and the agreement (rate,
Cohen's kappa) is computed; viewers read only, every verdict is audited."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from aibeian.cli.main import cli
from aibeian.corpus import RunDir, assess_run, import_reviews, thresholds
from aibeian.corpus._review_store import (
    LOG_FILE,
    agreement,
    load_sample,
    record_verdict,
    review_state,
)
from aibeian.errors import InputError
from aibeian.settings import Settings
from aibeian.storage import Store, list_audit
from aibeian.web._demo_files import DEMO_CORPUS_RUN, write_demo_files
from web.conftest import csrf_of, login

RUN = f"/corpus/{DEMO_CORPUS_RUN}"


@pytest.fixture
def run(settings: Settings) -> RunDir:
    write_demo_files(settings)
    return RunDir(settings.corpus_runs() / DEMO_CORPUS_RUN)


def _item_id(page: str) -> str:
    match = re.search(r'name="item_id" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


def _verdict(client: TestClient, *, qualified: str, reason: str = "", mode: str = "first") -> str:
    page = client.get(f"{RUN}/review?mode={mode}")
    item = _item_id(page.text)
    i = re.search(r'name="i" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    r = client.post(
        f"{RUN}/review",
        data={
            "csrf_token": csrf_of(client, f"{RUN}/review"),
            "item_id": item,
            "i": i,
            "mode": mode,
            "qualified": qualified,
            "reason": reason,
        },
    )
    assert r.status_code == 303, r.text
    return item


# -- the store -----------------------------------------------------------------------------------------


def test_first_verdict_is_primary_and_the_report_counts_it(run: RunDir) -> None:
    sample = load_sample(run)
    first, second = sample[0]["id"], sample[1]["id"]
    assert record_verdict(run, item_id=first, qualified=True, reviewer="ann")["primary"]
    record_verdict(run, item_id=second, qualified=False, reason="A.1.8 赌博", reviewer="ann")
    assert not record_verdict(run, item_id=first, qualified=False, reason="x", reviewer="bob")["primary"]
    manual = assess_run(str(run.path))["manual"]
    assert (manual["reviewed"], manual["qualified"]) == (2, 1)
    assert manual["reasons"] == {"A.1.8 赌博": 1}
    lines = (run.path / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["reviewer"] for line in lines] == ["ann", "ann", "bob"]


def test_a_reviewer_changing_their_verdict_replaces_it(run: RunDir) -> None:
    item = load_sample(run)[0]["id"]
    record_verdict(run, item_id=item, qualified=True, reviewer="ann")
    record_verdict(run, item_id=item, qualified=False, reason="A.1.4", reviewer="ann")
    state = review_state(run)
    assert state.primary[item]["qualified"] is False and state.second(item) is None


def test_bad_verdicts_are_refused_and_nothing_is_written(run: RunDir) -> None:
    item = load_sample(run)[0]["id"]
    with pytest.raises(InputError, match="needs a reason"):
        record_verdict(run, item_id=item, qualified=False, reviewer="ann")
    with pytest.raises(InputError, match="not in the manual sample"):
        record_verdict(run, item_id="no-such-item", qualified=True, reviewer="ann")
    with pytest.raises(InputError, match="not named"):
        record_verdict(run, item_id=item, qualified=True, reviewer=" ")
    assert not (run.path / "reviews.jsonl").exists() and not (run.path / LOG_FILE).exists()


def test_agreement_and_kappa_match_a_hand_computation(run: RunDir) -> None:
    ids = [r["id"] for r in load_sample(run)[:10]]
    ann = [True, True, True, True, True, True, False, False, False, True]
    bob = [True, True, True, True, True, False, False, False, True, True]
    for item, a, b in zip(ids, ann, bob, strict=True):
        record_verdict(run, item_id=item, qualified=a, reason="" if a else "r", reviewer="ann")
        record_verdict(run, item_id=item, qualified=b, reason="" if b else "r", reviewer="bob")
    result = agreement(review_state(run))
    # 8 of 10 agree; ann says yes 7/10, bob 7/10: p_e = .7*.7 + .3*.3 = .58; kappa = (.8-.58)/(1-.58)
    assert (result.pairs, result.agree) == (10, 8)
    assert result.rate == pytest.approx(0.8)
    assert result.kappa == pytest.approx((0.8 - 0.58) / 0.42)


def test_imported_verdicts_are_primary_and_a_screen_verdict_is_a_second_review(
    run: RunDir, tmp_path: Path
) -> None:
    item = load_sample(run)[0]["id"]
    review = tmp_path / "review.jsonl"
    review.write_text(json.dumps({"id": item, "qualified": "yes"}) + "\n", encoding="utf-8")
    import_reviews(run, str(review))
    assert not record_verdict(run, item_id=item, qualified=True, reviewer="ann")["primary"]
    assert agreement(review_state(run)).pairs == 1


# -- the screen ----------------------------------------------------------------------------------------


def test_progress_is_toward_the_standards_minimum(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    page = client.get(RUN)
    minimum = int(thresholds()["corpus_manual_sample_min_items"])
    assert page.status_code == 200
    assert f"0 / {minimum}" in page.text
    assert "/corpus" in client.get("/corpus").text and DEMO_CORPUS_RUN in client.get("/corpus").text


def test_reviewer_resumes_where_they_stopped(as_role, run: RunDir, store: Store) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    done = [_verdict(client, qualified="yes") for _ in range(3)]
    done.append(_verdict(client, qualified="no", reason="A.1.8 网络赌博"))
    sample_ids = [r["id"] for r in load_sample(run)]
    assert done == sample_ids[:4]
    again = client.get(f"{RUN}/review")  # a new visit: the next item still waiting
    assert _item_id(again.text) == sample_ids[4]
    assert re.search(r'id="position">5<', again.text)
    m = assess_run(str(run.path))["manual"]
    assert (m["reviewed"], m["qualified"]) == (4, 3)
    with store.session() as s:
        entries = [e for e in list_audit(s) if e.action == "corpus.review"]
    assert len(entries) == 4 and entries[0].detail["reason"] == "A.1.8 网络赌博"
    assert entries[0].actor_name == "reviewer"


def test_cli_report_sees_screen_verdicts(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    _verdict(client, qualified="no", reason="A.1.4 制作炸弹")
    out = CliRunner().invoke(cli, ["corpus", "report", str(run.path), "--format", "json"])
    assert out.exit_code == 0, out.output
    manual = json.loads(out.output)["manual"]
    assert manual["reviewed"] == 1 and manual["reasons"] == {"A.1.4 制作炸弹": 1}


def test_unqualified_without_reason_shows_the_message_next_to_the_field(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    page = client.get(f"{RUN}/review")
    r = client.post(
        f"{RUN}/review",
        data={
            "csrf_token": csrf_of(client, f"{RUN}/review"),
            "item_id": _item_id(page.text),
            "i": "0",
            "qualified": "no",
            "reason": "",
        },
    )
    assert r.status_code == 422 and 'id="reason-error"' in r.text
    r = client.post(
        f"{RUN}/review",
        data={"csrf_token": csrf_of(client, f"{RUN}/review"), "item_id": _item_id(page.text), "i": "0"},
    )
    assert r.status_code == 422 and 'id="qualified-error"' in r.text
    assert not (run.path / "reviews.jsonl").exists()


def test_second_reviewer_is_blind_and_agreement_is_shown(client: TestClient, run: RunDir) -> None:
    login(client, "reviewer")
    first = _verdict(client, qualified="yes")
    _verdict(client, qualified="no", reason="A.1.8")
    client.cookies.clear()
    login(client, "admin")
    page = client.get(f"{RUN}/review?mode=second")
    assert _item_id(page.text) == first
    assert 'id="my-verdict"' not in page.text and "other-verdict" not in page.text  # blind
    _verdict(client, qualified="yes", mode="second")
    _verdict(client, qualified="yes", mode="second")
    after = client.get(f"{RUN}/review?mode=second&i=0")
    assert "other-verdict" in after.text  # revealed once one's own verdict is in
    overview = client.get(RUN).text
    assert re.search(r'id="agreement-rate">50\.0%<', overview)
    assert re.search(r'id="kappa">0\.000<', overview)
    assert "reviewer 2" in overview and "admin 2" in overview
    assert assess_run(str(run.path))["manual"]["reviewed"] == 2  # second reviews are not double-counted


def test_done_when_nothing_waits(as_role, settings: Settings, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    for r in load_sample(run):
        record_verdict(run, item_id=r["id"], qualified=True, reviewer="reviewer")
    page = client.get(f"{RUN}/review")
    assert 'id="review-done"' in page.text


# -- access --------------------------------------------------------------------------------------------


def test_viewer_reads_but_cannot_record(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("viewer")
    page = client.get(f"{RUN}/review?i=0")
    assert page.status_code == 200 and 'id="verdict-form"' not in page.text
    item = load_sample(run)[0]["id"]
    r = client.post(
        f"{RUN}/review",
        data={"csrf_token": csrf_of(client, RUN), "item_id": item, "i": "0", "qualified": "yes"},
    )
    assert r.status_code == 403
    api = client.post(
        f"/api/corpus-runs/{DEMO_CORPUS_RUN}/verdicts",
        json={"item_id": item, "qualified": True},
        headers={"X-CSRF-Token": csrf_of(client, RUN)},
    )
    assert api.status_code == 403
    assert not (run.path / "reviews.jsonl").exists()


def test_anonymous_is_sent_to_login_and_api_is_401(client: TestClient, run: RunDir) -> None:
    for path in ("/corpus", RUN, f"{RUN}/review"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    assert client.get("/api/corpus-runs").status_code == 401


def test_without_csrf_token_nothing_is_recorded(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    item = load_sample(run)[0]["id"]
    r = client.post(f"{RUN}/review", data={"item_id": item, "i": "0", "qualified": "yes"})
    assert r.status_code == 403 and not (run.path / "reviews.jsonl").exists()


def test_unknown_or_climbing_run_names_are_404(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    assert client.get("/corpus/nope").status_code == 404
    assert client.get("/corpus/..%2F..%2Fetc/review").status_code == 404


def test_api_lists_runs_and_records_a_verdict(as_role, run: RunDir) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    runs = client.get("/api/corpus-runs").json()
    assert runs[0]["name"] == DEMO_CORPUS_RUN
    assert runs[0]["progress"]["summary"]["min_items"] == int(thresholds()["corpus_manual_sample_min_items"])
    item = load_sample(run)[0]["id"]
    token = csrf_of(client, RUN)
    r = client.post(
        f"/api/corpus-runs/{DEMO_CORPUS_RUN}/verdicts",
        json={"item_id": item, "qualified": False},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "reason"
    r = client.post(
        f"/api/corpus-runs/{DEMO_CORPUS_RUN}/verdicts",
        json={"item_id": item, "qualified": True},
        headers={"X-CSRF-Token": token},
    )
    assert r.status_code == 201 and r.json()["primary"] is True
    assert client.get(f"/api/corpus-runs/{DEMO_CORPUS_RUN}").json()["progress"]["summary"]["reviewed"] == 1


def test_the_quick_summary_of_the_item_page_equals_manual_summary(run: RunDir, tmp_path: Path) -> None:
    from aibeian.corpus import manual_summary
    from aibeian.web._corpus_review import quick_summary

    sample = load_sample(run)
    for n, r in enumerate(sample[:12]):
        record_verdict(run, item_id=r["id"], qualified=n % 4 != 0, reason="A.1.8", reviewer="ann")
    record_verdict(run, item_id=sample[0]["id"], qualified=True, reviewer="bob")  # a second review
    review = tmp_path / "more.jsonl"
    review.write_text(json.dumps({"id": sample[20]["id"], "qualified": "no", "reason": "x"}) + "\n")
    import_reviews(run, str(review))
    quick = quick_summary(sample, review_state(run))
    full = manual_summary(run, thresholds())
    assert quick == {k: full[k] for k in quick}
    assert quick["reviewed"] == 13


@pytest.mark.postgres
def test_verdicts_and_audit_on_postgres(tmp_path: Path, pg_scratch_url: str) -> None:
    from aibeian.storage import open_store
    from aibeian.web import create_app
    from storage.databases import _reset_pg
    from web.conftest import make_settings, seed_users

    _reset_pg(pg_scratch_url)
    pg = open_store(pg_scratch_url, migrate=True)
    seed_users(pg)
    settings = make_settings(tmp_path, pg_scratch_url)
    write_demo_files(settings)
    try:
        with TestClient(create_app(settings, store=pg), follow_redirects=False) as c:
            login(c, "reviewer")
            item = _verdict(c, qualified="no", reason="A.1.8")
        with pg.session() as s:
            entry = next(e for e in list_audit(s) if e.action == "corpus.review")
        assert entry.detail["item"] == item and entry.detail["primary"] is True
        run = RunDir(settings.corpus_runs() / DEMO_CORPUS_RUN)
        assert assess_run(str(run.path))["manual"]["reviewed"] == 1
    finally:
        pg.dispose()


def test_two_reviewers_in_the_same_pass_get_different_items(client: TestClient, run: RunDir) -> None:
    import datetime as dt

    from aibeian.corpus._review_store import CLAIM_SECONDS, claim, claimed_by_others

    sample_ids = [r["id"] for r in load_sample(run)]
    login(client, "reviewer")
    assert _item_id(client.get(f"{RUN}/review").text) == sample_ids[0]
    client.cookies.clear()
    login(client, "admin")
    assert _item_id(client.get(f"{RUN}/review").text) == sample_ids[1]  # item 0 is on the other screen
    assert claimed_by_others(run, "admin") == {sample_ids[0]}
    _verdict(client, qualified="yes")  # admin judges item 1; its claim is released
    assert _item_id(client.get(f"{RUN}/review").text) == sample_ids[2]
    assert claimed_by_others(run, "reviewer") == {sample_ids[2]}  # admin's next item, now on screen
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=CLAIM_SECONDS + 1)
    assert claimed_by_others(run, "admin", now=later) == set()  # claims expire
    claim(run, item_id=sample_ids[0], reviewer="reviewer", now=later)
    assert claimed_by_others(run, "admin", now=later) == {sample_ids[0]}
