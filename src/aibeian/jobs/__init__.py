"""Long jobs (evaluation runs, corpus scans, dossier builds) run by a background worker, outside the web
request: the queue is the store's ``jobs`` table, each job runs the library's functions in a child process,
and its progress, result or error is written back to its row for the workbench and the API to show."""

from aibeian.jobs._kinds import KINDS, JobKind, Report, kind_title
from aibeian.jobs._start import NAME_PATTERN, bank_files, start_corpus_scan, start_evaluation, start_job
from aibeian.jobs._worker import Worker, WorkerOptions

__all__ = [
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
