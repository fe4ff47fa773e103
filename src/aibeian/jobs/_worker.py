"""The background worker: claims queued jobs from the store and runs each in a spawned child process.

One worker runs one job at a time; run several (``aibeian worker --concurrency N`` or more processes on
more machines) for more. The worker, not the child, writes to the database: progress at most every
``PROGRESS_WRITE`` seconds, a heartbeat every ``heartbeat_seconds``, and the outcome. A child that raises
becomes a failed job with the library's message; a child that dies (a signal, the OOM killer, ``os._exit``)
becomes a failed job saying so; the web process and the worker go on either way.

Recovery: a job still ``running`` whose worker is gone — its heartbeat older than ``stale_seconds``, or its
worker process on this machine no longer alive — is queued again (every job kind resumes from its output)
until ``max_attempts``, then failed with a message. Every worker does this when it starts and then
periodically.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import secrets
import signal
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aibeian.errors import StorageError
from aibeian.jobs._child import child_main, describe_exit
from aibeian.processes import pid_alive
from aibeian.storage import (
    JOB_KINDS,
    Job,
    Store,
    claim_job,
    fail_job,
    finish_job,
    heartbeat_job,
    recover_jobs,
    report_progress,
)

__all__ = ["Worker", "WorkerOptions"]

log = logging.getLogger("aibeian.jobs")

PROGRESS_WRITE = 0.5
_LIVE: set[str] = set()  # names of the workers alive in this process
_LIVE_LOCK = threading.Lock()


@dataclass(frozen=True)
class WorkerOptions:
    poll_seconds: float = 1.0
    heartbeat_seconds: float = 5.0
    stale_seconds: float = 60.0
    max_attempts: int = 3
    kinds: tuple[str, ...] = JOB_KINDS


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _end_orphan(pid: int, wait: float = 10.0) -> None:
    """SIGKILL a job child left behind by a dead worker — only if that pid is still one of our spawned job
    processes (checked on /proc where there is one, so a reused pid is never hit) — and wait for it to go."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return  # gone already (or no /proc: the child's own parent watch ends it within a second)
    if b"multiprocessing" not in cmdline:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
        except (OSError, IndexError):
            return
        if state in ("Z", "X"):
            return
        time.sleep(0.05)


class Worker:
    """Claims and runs jobs until stopped. ``run_once`` runs at most one job (tests, ``--once``)."""

    def __init__(
        self, store: Store, options: WorkerOptions | None = None, *, name: str | None = None
    ) -> None:
        self.store = store
        self.options = options or WorkerOptions()
        self.host = socket.gethostname()
        self.name = name or f"{self.host}:{os.getpid()}:{secrets.token_hex(3)}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = multiprocessing.get_context("spawn")
        with _LIVE_LOCK:
            _LIVE.add(self.name)

    # --- recovery
    def _is_dead(self, job: Job) -> bool:
        """Whether the job's worker is gone; a gone worker's child still running here is ended first, so the
        job is never run twice at once (the evaluation's run lock would refuse the second anyway)."""
        host, _, rest = job.worker.partition(":")
        pid_text = rest.partition(":")[0]
        local = host == self.host and pid_text.isdigit()
        beat = _aware(job.heartbeat_at or job.started_at)
        if beat is None or (datetime.now(UTC) - beat).total_seconds() > self.options.stale_seconds:
            dead = True
        elif not local:
            return False  # another machine's worker: only its heartbeat can tell
        elif int(pid_text) == os.getpid():
            with _LIVE_LOCK:
                dead = job.worker not in _LIVE
        else:
            dead = not pid_alive(int(pid_text))
        if dead and local and job.child_pid:
            _end_orphan(job.child_pid)
        return dead

    def recover(self) -> list[int]:
        """Re-queue (or fail, after too many attempts) the jobs of workers that are gone."""
        with self.store.session() as session:
            ids = recover_jobs(session, is_dead=self._is_dead, max_attempts=self.options.max_attempts)
        if ids:
            log.warning("recovered jobs left running by a stopped worker: %s", ids)
        return ids

    # --- the loop
    def run_once(self) -> int | None:
        """Claim one queued job and run it to its end; the job's id, or None when nothing was queued."""
        try:
            with self.store.session() as session:
                job = claim_job(session, worker=self.name, kinds=self.options.kinds)
                claimed = None if job is None else (job.id, job.kind, dict(job.params))
        except StorageError as exc:
            if "locked" in str(exc):
                return None  # another worker holds SQLite's write lock; try again at the next poll
            raise
        if claimed is None:
            return None
        job_id, kind, params = claimed
        log.info("job %s (%s) started by %s", job_id, kind, self.name)
        self._supervise(job_id, kind, params)
        return job_id

    def run_forever(self) -> None:
        self.recover()
        last_recovery = time.monotonic()
        while not self._stop.is_set():
            try:
                ran = self.run_once()
                if time.monotonic() - last_recovery > self.options.stale_seconds / 2:
                    self.recover()
                    last_recovery = time.monotonic()
            except StorageError as exc:
                log.error("worker %s: %s", self.name, exc)
                ran = None
            if ran is None:
                self._stop.wait(self.options.poll_seconds)
        with _LIVE_LOCK:
            _LIVE.discard(self.name)

    def start(self) -> threading.Thread:
        """Run the loop in a daemon thread (the in-process worker of ``aibeian serve``)."""
        self._thread = threading.Thread(
            target=self.run_forever, name=f"aibeian-worker-{self.name}", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking jobs; a job still running has its child ended and is queued again for later."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # --- one job
    def _supervise(self, job_id: int, kind: str, params: dict[str, Any]) -> None:
        receiver, sender = self._context.Pipe(duplex=False)
        proc = self._context.Process(
            target=child_main, args=(kind, params, sender), name=f"aibeian-job-{job_id}", daemon=False
        )
        proc.start()
        sender.close()
        try:
            self._follow(job_id, proc, receiver)
        finally:  # whatever happened here (even the database going away), no child outlives its supervision
            if proc.is_alive():
                self._end(proc)
            receiver.close()

    def _follow(self, job_id: int, proc: Any, receiver: Any) -> None:
        outcome: tuple[Any, ...] | None = None
        pending: tuple[Any, ...] | None = None
        last_write = last_beat = time.monotonic()
        keep = self._beat(job_id, proc.pid)
        while keep:
            if receiver.poll(0.25):
                try:
                    msg = receiver.recv()
                except (EOFError, OSError):
                    proc.join(10)
                    break
                if msg[0] == "progress":
                    pending = msg
                else:
                    outcome = msg
                    break
            now = time.monotonic()
            if pending is not None and now - last_write >= PROGRESS_WRITE:
                keep = self._progress(job_id, pending)
                pending, last_write, last_beat = None, now, now
            elif now - last_beat >= self.options.heartbeat_seconds:
                keep, last_beat = self._beat(job_id, None), now
            if self._stop.is_set():
                self._end(proc)
                self._requeue(job_id)
                return
            if not proc.is_alive() and not receiver.poll(0):
                break
        if not keep:  # cancelled by a user, or taken over after this worker looked dead
            self._end(proc)
            log.info("job %s stopped: no longer running for %s", job_id, self.name)
            return
        if pending is not None:
            self._progress(job_id, pending)
        proc.join(30)
        if proc.is_alive():
            self._end(proc)
        with self.store.session() as session:
            if outcome is not None and outcome[0] == "ok":
                finish_job(session, job_id=job_id, worker=self.name, result=outcome[1])
            elif outcome is not None:
                fail_job(session, job_id=job_id, worker=self.name, error=str(outcome[1]))
            else:
                fail_job(
                    session,
                    job_id=job_id,
                    worker=self.name,
                    error=f"the job's process ended unexpectedly ({describe_exit(proc.exitcode)}); "
                    "the workbench is unaffected — start the job again to resume it / 任务进程意外终止，可重新启动以续跑",
                )
        log.info("job %s ended (%s)", job_id, "ok" if outcome and outcome[0] == "ok" else "failed")

    def _beat(self, job_id: int, pid: int | None) -> bool:
        with self.store.session() as session:
            return heartbeat_job(session, job_id=job_id, worker=self.name, child_pid=pid)

    def _progress(self, job_id: int, msg: tuple[Any, ...]) -> bool:
        _, done, total, message = msg
        with self.store.session() as session:
            return report_progress(
                session, job_id=job_id, worker=self.name, done=done, total=total, message=message
            )

    def _requeue(self, job_id: int) -> None:
        with self.store.session() as session:
            recover_jobs(
                session,
                is_dead=lambda j: j.id == job_id and j.worker == self.name,
                max_attempts=self.options.max_attempts + 1,
            )

    @staticmethod
    def _end(proc: Any) -> None:
        proc.terminate()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
