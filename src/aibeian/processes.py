"""Is a process still there? Shared by the run locks (evaluation, corpus) and the job worker's recovery.

``os.kill(pid, 0)`` alone says yes for a zombie — a process that was killed but not yet reaped by its parent
(common in containers whose process 1 does not reap). A lock held by a zombie would then block a resumed
run forever, so a zombie counts as gone.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["pid_alive"]


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return not _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False  # no /proc (macOS): trust kill(0)
    # The state letter follows the command name in parentheses, which may itself contain spaces or ')'.
    state = stat[stat.rfind(")") + 2 : stat.rfind(")") + 3]
    return state in ("Z", "X")
