"""Kill a real scan process mid-run (SIGKILL: no clean-up at all), rerun the same command, and get exactly
the report of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.corpus.conftest import SOURCES_YAML, texts, write_jsonl, write_library


@pytest.mark.slow
def test_killed_scan_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    body = texts(2000, 9, 1)
    for i in range(60):  # 60 shards of ~1 MB: long enough to be killed part-way
        write_jsonl(corpus / "news" / f"{i:02}.jsonl", [{"text": t * 8} for t in body[i:] + body[:i]])
    sources = tmp_path / "s.yaml"
    sources.write_text(SOURCES_YAML, encoding="utf-8")
    keywords = write_library(tmp_path / "k.csv")

    def command(out: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "aibeian",
            "corpus",
            "scan",
            str(corpus),
            "--sources",
            str(sources),
            "--keywords",
            str(keywords),
            "--out",
            str(out),
            "--workers",
            "1",
            "--format",
            "json",
            "--no-progress",
        ]

    out = tmp_path / "killed"
    proc = subprocess.Popen(
        command(out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        done = len(list((out / "shards").glob("*.done"))) if (out / "shards").is_dir() else 0
        if done >= 3:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the scan finished before it could be interrupted"
    assert 3 <= len(list((out / "shards").glob("*.done"))) < 60
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "running"
    resumed = subprocess.run(command(out), capture_output=True, text=True, check=True)
    clean = subprocess.run(command(tmp_path / "clean"), capture_output=True, text=True, check=True)
    assert json.loads(resumed.stdout) == json.loads(clean.stdout)
    assert json.loads(clean.stdout)["corpus"]["items"] == 60 * 2000


@pytest.mark.slow
def test_ctrl_c_stops_a_pool_scan_cleanly_and_the_rerun_resumes(tmp_path: Path) -> None:
    """Ctrl-C in a terminal signals every process of the group: the workers ignore it (no traceback from
    each), the driver stops, says how to resume and exits 130; the rerun ends where an uninterrupted run does."""
    corpus = tmp_path / "corpus"
    body = texts(2000, 9, 2)
    for i in range(60):
        write_jsonl(corpus / "news" / f"{i:02}.jsonl", [{"text": t * 16} for t in body[i:] + body[:i]])
    sources = tmp_path / "s.yaml"
    sources.write_text(SOURCES_YAML, encoding="utf-8")
    keywords = write_library(tmp_path / "k.csv")

    def command(out: Path, workers: str) -> list[str]:
        return [
            sys.executable, "-m", "aibeian", "corpus", "scan", str(corpus), "--sources", str(sources),
            "--keywords", str(keywords), "--out", str(out), "--workers", workers, "--sample-rate", "1",
            "--format", "json", "--no-progress", "--lang", "en",
        ]  # fmt: skip

    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        command(out, "2"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "shards").is_dir() and len(list((out / "shards").glob("*.done"))) >= 3:
            os.killpg(proc.pid, signal.SIGINT)
            break
        time.sleep(0.005)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, f"the scan was not interrupted (exit {proc.returncode}): {err}"
    assert "rerun the same command to resume" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "interrupted"
    assert len(list((out / "shards").glob("*.done"))) < 60
    resumed = subprocess.run(command(out, "2"), capture_output=True, text=True, check=True)
    clean = subprocess.run(command(tmp_path / "clean", "1"), capture_output=True, text=True, check=True)
    assert json.loads(resumed.stdout) == json.loads(clean.stdout)
