"""The child process that runs one job. It talks to its worker through a pipe only: progress messages, then
one final ``("ok", result)`` or ``("error", message)``. No database connection lives here, so a job that
crashes, leaks or is killed takes nothing down with it but itself.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["child_main", "describe_exit"]

PROGRESS_INTERVAL = 0.2


def _watch_parent(parent: int) -> None:
    """End this process when its worker is gone (killed), so no orphan keeps working on a recovered job."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(70)


class _Reporter:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._last = 0.0

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None:
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < PROGRESS_INTERVAL:
            return
        self._last = now
        self._conn.send(("progress", int(done), None if total is None else int(total), message))


def _message(exc: BaseException) -> str:
    from aibeian.errors import AibeianError

    if isinstance(exc, AibeianError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def child_main(kind: str, params: dict[str, Any], conn: Connection) -> None:
    """Entry point of the spawned process: run ``kind`` with ``params`` and send the outcome."""
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    from aibeian.jobs._kinds import KINDS

    try:
        job = KINDS[kind]
        result = job.run(params, _Reporter(conn))
        conn.send(("ok", result))
    except BaseException as exc:  # the one place every failure becomes the user's message
        if not isinstance(exc, Exception) or type(exc).__module__.split(".")[0] != "aibeian":
            traceback.print_exc(file=sys.stderr)
        conn.send(("error", _message(exc)))
    finally:
        conn.close()


def describe_exit(code: int | None) -> str:
    """A crashed child's exit in words: a signal by name, else the exit status."""
    if code is None:
        return "still running"
    if code < 0:
        import signal

        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit status {code}"
