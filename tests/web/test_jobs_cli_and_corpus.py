"""A corpus scan started through ``/api/jobs`` and run by the worker (``corpus.assess`` in the child), and the
``aibeian worker --once`` command running a queued dossier build."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from aibeian.cli.main import cli
from aibeian.jobs import Worker, WorkerOptions
from aibeian.settings import Settings
from aibeian.storage import Actor, Store, enqueue_job, get_job
from corpus.conftest import SOURCES_YAML, texts, write_jsonl, write_library

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "dossier"


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/jobs").text)
    assert match
    return match.group(1)


def test_corpus_scan_job(as_role, tmp_path: Path, store: Store, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    client = as_role("reviewer")
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "news" / "a.jsonl", [{"text": t} for t in texts(120, 7, 1)])
    write_jsonl(corpus / "forum" / "b.jsonl", [{"text": t} for t in texts(80, 3, 2)])
    (corpus / "books").mkdir()
    (corpus / "books" / "c.txt").write_text("\n".join(texts(5, 0, 3)), encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES_YAML, encoding="utf-8")
    body = {
        "kind": "corpus_scan",
        "name": "scan-1",
        "corpus": [str(corpus)],
        "sources": str(sources),
        "keywords": str(write_library(tmp_path / "keywords.csv")),
        "sample_rate": 0.5,
    }
    r = client.post("/api/jobs", json=body, headers={"X-CSRF-Token": _csrf(client)})
    assert r.status_code == 201, r.text
    job_id = r.json()["id"]
    assert Worker(store, WorkerOptions(poll_seconds=0.05)).run_once() == job_id
    with store.session() as s:
        job = get_job(s, job_id=job_id)
    assert job.status == "succeeded", job.error
    assert job.total and job.done == job.total
    assert (settings.corpus_runs() / "scan-1" / "run.json").is_file()
    missing = client.post(
        "/api/jobs",
        json={**body, "sources": str(tmp_path / "nope.yaml")},
        headers={"X-CSRF-Token": _csrf(client)},
    )
    assert missing.status_code == 422 and missing.json()["problems"][0]["field"] == "sources"


def test_worker_once_runs_the_queue(store: Store, sqlite_url: str, tmp_path: Path) -> None:
    with store.session() as s:
        job_id = enqueue_job(
            s,
            kind="dossier_build",
            params={"facts": str(EXAMPLES / "facts-algorithm.yaml"), "out": str(tmp_path / "build")},
            actor=Actor(name="cli-test"),
        ).id
    result = CliRunner().invoke(
        cli, ["worker", "--db", sqlite_url, "--once"], env={"AIBEIAN_HOME": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    assert "ran 1 job(s)" in result.output
    with store.session() as s:
        assert get_job(s, job_id=job_id).status == "succeeded"
    assert (tmp_path / "build" / "dossier.zip").is_file()


def test_serve_runs_jobs_in_process(store: Store, sqlite_url: str, tmp_path: Path) -> None:
    """``aibeian serve`` (a real process on a loopback port) runs a queued job with its built-in worker."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from web.browser_support import free_port

    with store.session() as s:
        job_id = enqueue_job(
            s,
            kind="dossier_build",
            params={"facts": str(EXAMPLES / "facts-algorithm.yaml"), "out": str(tmp_path / "served")},
            actor=Actor(name="serve-test"),
        ).id
    port = free_port()
    env = {**os.environ, "AIBEIAN_HOME": str(tmp_path / "home"), "AIBEIAN_SECRET_KEY": "t"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aibeian", "serve", "--db", sqlite_url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with store.session() as s:
                status = get_job(s, job_id=job_id).status
            if status in ("succeeded", "failed"):
                break
            assert time.monotonic() < deadline, f"the job stayed {status}"
            time.sleep(0.2)
        assert status == "succeeded"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login") as page:  # the web answers meanwhile
            assert page.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
