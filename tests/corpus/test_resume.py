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
