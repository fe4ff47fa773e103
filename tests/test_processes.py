"""A killed but unreaped process (a zombie) no longer holds a run lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aibeian.processes import pid_alive


def test_live_process_and_this_process_are_alive() -> None:
    assert pid_alive(os.getpid())
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as child:
        try:
            assert pid_alive(child.pid)
        finally:
            child.kill()
            child.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to tell a zombie")
def test_a_zombie_is_not_alive() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        os.kill(child.pid, signal.SIGKILL)
        for _ in range(200):  # the kernel marks it a zombie within milliseconds; we do not reap it
            if not pid_alive(child.pid):
                break
            time.sleep(0.01)
        assert not pid_alive(child.pid)
        os.kill(child.pid, 0)  # kill(0) alone still says it is there
    finally:
        child.wait()
    assert not pid_alive(child.pid)


def test_impossible_pids_are_not_alive() -> None:
    assert not pid_alive(0) and not pid_alive(-1)
