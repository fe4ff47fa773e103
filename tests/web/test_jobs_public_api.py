"""The public API of ``aibeian.jobs`` and of the job queue in ``aibeian.storage``, pinned: a change here is a
deliberate API change."""

from __future__ import annotations

import aibeian.jobs
import aibeian.storage

JOBS = [
    "KINDS",
    "NAME_PATTERN",
    "JobKind",
    "Report",
    "Worker",
    "WorkerOptions",
    "bank_files",
    "kind_title",
    "start_corpus_scan",
    "start_evaluation",
    "start_job",
]
QUEUE = [
    "FINAL_STATUSES",
    "JOB_KINDS",
    "JOB_STATUSES",
    "Job",
    "cancel_job",
    "claim_job",
    "count_jobs",
    "enqueue_job",
    "fail_job",
    "finish_job",
    "get_job",
    "heartbeat_job",
    "job_status",
    "list_jobs",
    "recover_jobs",
    "report_progress",
    "stale_before",
]


def test_jobs_api_is_pinned() -> None:
    assert sorted(aibeian.jobs.__all__) == sorted(JOBS)
    assert all(hasattr(aibeian.jobs, name) for name in JOBS)
    assert set(aibeian.jobs.KINDS) == set(aibeian.storage.JOB_KINDS)  # every stored kind can run


def test_queue_functions_are_exported_by_storage() -> None:
    assert set(QUEUE) <= set(aibeian.storage.__all__)
