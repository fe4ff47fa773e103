"""The job queue on SQLite and PostgreSQL: life cycle, cancel, recovery, and claims that never overlap."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from aibeian.errors import InputError
from aibeian.storage import (
    Actor,
    Store,
    cancel_job,
    claim_job,
    count_audit,
    count_jobs,
    enqueue_job,
    fail_job,
    finish_job,
    get_job,
    heartbeat_job,
    list_jobs,
    open_store,
    recover_jobs,
    report_progress,
)

ME = Actor(name="tester")


def _enqueue(store: Store, n: int = 1, kind: str = "dossier_build") -> list[int]:
    with store.session() as s:
        return [enqueue_job(s, kind=kind, params={"i": i}, actor=ME).id for i in range(n)]


def test_life_cycle_success(store: Store) -> None:
    (job_id,) = _enqueue(store)
    with store.session() as s:
        job = claim_job(s, worker="w1")
        assert job is not None and job.id == job_id
        assert (job.status, job.worker, job.attempts) == ("running", "w1", 1)
    with store.session() as s:
        assert claim_job(s, worker="w2") is None  # nothing else queued
        assert report_progress(s, job_id=job_id, worker="w1", done=3, total=10, message="3/10")
        assert not report_progress(s, job_id=job_id, worker="w2", done=9)  # not w2's job
    with store.session() as s:
        assert finish_job(s, job_id=job_id, worker="w1", result={"package": "x.zip"})
    with store.session() as s:
        job = get_job(s, job_id=job_id)
        assert (job.status, job.done, job.total, job.result) == ("succeeded", 10, 10, {"package": "x.zip"})
        assert job.finished_at is not None
        assert count_audit(s, entity="job") == 1


def test_failure_keeps_the_message(store: Store) -> None:
    (job_id,) = _enqueue(store)
    with store.session() as s:
        claim_job(s, worker="w1")
    with store.session() as s:
        assert fail_job(s, job_id=job_id, worker="w1", error="facts.yaml line 3: unknown field")
        assert not finish_job(s, job_id=job_id, worker="w1", result={})  # a late report changes nothing
    with store.session() as s:
        job = get_job(s, job_id=job_id)
        assert (job.status, job.error) == ("failed", "facts.yaml line 3: unknown field")


def test_cancel_queued_and_running(store: Store) -> None:
    a, b = _enqueue(store, 2)
    with store.session() as s:
        claim_job(s, worker="w1")  # takes a
    with store.session() as s:
        assert cancel_job(s, job_id=b, actor=ME).status == "cancelled"
        assert cancel_job(s, job_id=a, actor=ME).status == "cancelled"
    with store.session() as s:
        assert not heartbeat_job(s, job_id=a, worker="w1")  # the worker learns it must stop
        assert claim_job(s, worker="w1") is None
        with pytest.raises(InputError, match="already cancelled"):
            cancel_job(s, job_id=a, actor=ME)
        with pytest.raises(LookupError):
            cancel_job(s, job_id=999, actor=ME)


def test_list_and_count_filters(store: Store) -> None:
    _enqueue(store, 2)
    _enqueue(store, 1, kind="evaluation")
    with store.session() as s:
        assert [j.kind for j in list_jobs(s)] == ["evaluation", "dossier_build", "dossier_build"]
        assert count_jobs(s, kind="dossier_build") == 2
        assert count_jobs(s, status="queued") == 3
        with pytest.raises(InputError):
            list_jobs(s, status="nonsense")
        with pytest.raises(InputError, match="unknown job kind"):
            enqueue_job(s, kind="nonsense", params={}, actor=ME)


def test_recovery_requeues_then_gives_up(store: Store) -> None:
    (job_id,) = _enqueue(store)
    for attempt in (1, 2):
        with store.session() as s:
            assert claim_job(s, worker=f"dead-{attempt}") is not None
        with store.session() as s:
            assert recover_jobs(s, is_dead=lambda j: True, max_attempts=2) == [job_id]
        with store.session() as s:
            job = get_job(s, job_id=job_id)
            expected = "queued" if attempt == 1 else "failed"
            assert job.status == expected, attempt
    with store.session() as s:
        assert "not retried" in get_job(s, job_id=job_id).error


def test_recovery_leaves_live_workers_alone(store: Store) -> None:
    _enqueue(store)
    with store.session() as s:
        claim_job(s, worker="alive")
    with store.session() as s:
        assert recover_jobs(s, is_dead=lambda j: j.worker != "alive", max_attempts=3) == []
        assert count_jobs(s, status="running") == 1


def test_concurrent_claims_never_share_a_job(db_url: str) -> None:
    """Four workers, each with its own engine (as separate processes would), race for 40 jobs."""
    setup = open_store(db_url, migrate=True)
    ids = _enqueue(setup, 40)
    setup.dispose()
    claimed: Counter[int] = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work(name: str) -> None:
        store = open_store(db_url)
        try:
            empty = 0
            while empty < 3:
                try:
                    with store.session() as s:
                        job = claim_job(s, worker=name)
                        got = None if job is None else job.id
                except (
                    Exception
                ) as exc:  # SQLite may say "locked" under contention: retry, as the worker does
                    if "locked" not in str(exc):
                        errors.append(exc)
                        return
                    continue
                if got is None:
                    empty += 1
                    continue
                with lock:
                    claimed[got] += 1
        finally:
            store.dispose()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(claimed) == ids
    assert set(claimed.values()) == {1}
