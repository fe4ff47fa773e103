"""The store on both back ends: migrations, the StorageError cases, and the repositories' rules."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from aibeian.errors import InputError, StorageError
from aibeian.storage import (
    Actor,
    Store,
    authenticate,
    count_audit,
    create_filing,
    create_service,
    create_user,
    dashboard,
    get_filing,
    head_revision,
    latest_triage,
    list_audit,
    load_demo,
    open_store,
    save_triage,
    set_deadline,
    transition,
    update_service,
)
from aibeian.triage import TriageAnswers, assess

ADMIN = Actor(name="alice", id=None)
ALGO_NUMBER = "网信算备110108970550101240011号"
GENAI_NUMBER = "Beijing-DeepseekChat-202404280016"


def test_fresh_database_is_migrated_to_head(store: Store) -> None:
    assert store.current_revision() == head_revision()
    store.check()


def test_unmigrated_database_is_a_clear_storage_error(db_url: str) -> None:
    with pytest.raises(StorageError, match=r"empty .*needs migration"):
        open_store(db_url)


def test_unknown_migration_is_refused(store: Store, db_url: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with pytest.raises(StorageError, match=r"ffff_future.*does not know"):
        open_store(db_url, migrate=True)


def test_migrate_twice_is_harmless(store: Store, db_url: str) -> None:
    open_store(db_url, migrate=True).dispose()
    assert store.current_revision() == head_revision()


def test_unreachable_postgres_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="cannot reach the database"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_bad_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="not a database URL"):
        open_store("not a url")
    with pytest.raises(StorageError, match="unsupported database"):
        open_store("mysql://x@localhost/db")


def test_users_and_passwords(store: Store) -> None:
    with store.session() as s:
        create_user(s, username="alice", password="correct horse", role="admin", actor=ADMIN)
    with store.session() as s:
        assert authenticate(s, username="alice", password="correct horse") is not None
        assert authenticate(s, username="alice", password="wrong password") is None
        assert authenticate(s, username="nobody", password="correct horse") is None
        with pytest.raises(InputError) as info:
            create_user(s, username="alice", password="short", role="boss", actor=ADMIN)
        assert {p.field for p in info.value.problems} == {"username", "password", "role"}


def test_every_change_is_audited_and_rolls_back_with_it(store: Store) -> None:
    with store.session() as s:
        service = create_service(s, name="客服", actor=ADMIN)
        update_service(s, service_id=service.id, name="客服2", description="d", actor=ADMIN)
    with pytest.raises(InputError), store.session() as s:
        create_service(s, name="其他", actor=ADMIN)
        create_service(s, name="客服2", actor=ADMIN)  # duplicate: the whole transaction rolls back
    with store.session() as s:
        actions = [e.action for e in list_audit(s)]
        assert actions == ["service.update", "service.create"]
        assert count_audit(s, entity="service") == 2
        assert list_audit(s)[0].detail["before"]["name"] == "客服"


def test_filing_life_cycle(store: Store) -> None:
    with store.session() as s:
        sid = create_service(s, name="客服", actor=ADMIN).id
        fid = create_filing(s, service_id=sid, type="genai", actor=ADMIN).id
    with store.session() as s:
        transition(s, filing_id=fid, to="submitted", actor=ADMIN, on=date(2026, 1, 5))
        transition(s, filing_id=fid, to="feedback", actor=ADMIN)
        transition(s, filing_id=fid, to="submitted", actor=ADMIN)
        transition(s, filing_id=fid, to="feedback", actor=ADMIN)
        f = get_filing(s, filing_id=fid)
        assert (f.status, f.feedback_round, f.submitted_on) == ("feedback", 2, date(2026, 1, 5))
        with pytest.raises(InputError, match="cannot become approved"):
            transition(s, filing_id=fid, to="approved", actor=ADMIN, filing_number=GENAI_NUMBER)
        transition(s, filing_id=fid, to="submitted", actor=ADMIN)
        with pytest.raises(InputError, match="needs the filing number"):
            transition(s, filing_id=fid, to="approved", actor=ADMIN)
        with pytest.raises(InputError, match="algorithm number") as info:
            transition(s, filing_id=fid, to="approved", actor=ADMIN, filing_number=ALGO_NUMBER)
        assert info.value.field == "filing_number"
        with pytest.raises(InputError, match="invalid filing number"):
            transition(s, filing_id=fid, to="approved", actor=ADMIN, filing_number="Beijing-X-2023")
        transition(
            s, filing_id=fid, to="approved", actor=ADMIN, filing_number=GENAI_NUMBER, on=date(2026, 3, 1)
        )
    with store.session() as s:
        f = get_filing(s, filing_id=fid)
        assert (f.status, f.filing_number, f.approved_on) == ("approved", GENAI_NUMBER, date(2026, 3, 1))
        with pytest.raises(InputError, match="approved is final"):
            transition(s, filing_id=fid, to="submitted", actor=ADMIN)
        assert count_audit(s, entity="filing") == 7


def test_unknown_filing_type_is_refused(store: Store) -> None:
    with store.session() as s:
        sid = create_service(s, name="客服", actor=ADMIN).id
        with pytest.raises(InputError) as info:
            create_filing(s, service_id=sid, type="icp", actor=ADMIN)
        assert info.value.field == "type"


def test_triage_is_saved_per_service(store: Store) -> None:
    answers = TriageAnswers(
        entity_type="domestic_company",
        public_in_china=True,
        public_opinion_or_mobilization=True,
        generative=True,
        modalities=("text",),
        model_source="fine_tuned",
        provides_to_businesses=False,
        other_algorithms=(),
        registered_users=10,
        handles_sensitive_content=False,
        icp="none",
    )
    with store.session() as s:
        sid = create_service(s, name="客服", actor=ADMIN).id
        save_triage(s, service_id=sid, answers=answers, result=assess(answers), actor=ADMIN)
    with store.session() as s:
        entry = latest_triage(s, service_id=sid)
        assert entry is not None
        assert entry.answers["model_source"] == "fine_tuned"
        assert {f["type"] for f in entry.result["filings"]} == {f.type for f in assess(answers).filings}
        board = dashboard(s, today=date(2026, 1, 1), lang="en")
        assert any(c.kind == "prerequisite" and "ICP" in c.text for c in board.failing)


def test_demo_dashboard(store: Store) -> None:
    today = date(2026, 6, 1)
    with store.session() as s:
        assert load_demo(s, today=today)
        assert load_demo(s, today=today) == []  # idempotent
    with store.session() as s:
        board = dashboard(s, today=today)
        assert board.counts == {"preparing": 2, "submitted": 0, "feedback": 1, "approved": 1}
        assert [d.overdue for d in board.deadlines][:1] == [True]
        assert [d.due for d in board.deadlines] == sorted(d.due for d in board.deadlines)
        assert any(d.kind == "annual_update" for d in board.deadlines)
        assert authenticate(s, username="demo", password="demo-password") is not None


def test_deadline_change_is_audited(store: Store) -> None:
    with store.session() as s:
        sid = create_service(s, name="客服", actor=ADMIN).id
        fid = create_filing(s, service_id=sid, type="algorithm", actor=ADMIN).id
        set_deadline(s, filing_id=fid, deadline=date(2026, 2, 1), note="提交", actor=ADMIN)
        assert list_audit(s)[0].detail["after"] == {"deadline": "2026-02-01", "note": "提交"}
