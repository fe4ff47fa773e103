"""The Ray engine on a real local Ray instance (2 CPUs) gives exactly the local engine's report."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aibeian.corpus import _plan as plan_module
from aibeian.corpus import assess
from aibeian.corpus.engines import EngineOptions, get_engine
from aibeian.errors import MissingDependencyError


@pytest.mark.ray
def test_ray_and_local_reports_are_identical(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("ray")
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)  # the JSONL files are cut into parts too
    paths = make_corpus()
    kwargs = {"sources": paths["sources"], "keywords": paths["keywords"], "sample_rate": 0.15, "seed": 11}
    local = assess([str(paths["corpus"])], out=tmp_path / "local", workers=1, **kwargs)
    answers: list[dict[str, object]] = []
    ray = assess(
        [str(paths["corpus"])],
        out=tmp_path / "ray",
        engine="ray",
        workers=2,
        on_shard=lambda _, result: answers.append(result),
        **kwargs,
    )
    assert ray == local
    # workers on the driver's disk store their own results: the driver only hears that they did
    assert answers and all(a.get("stored") is True for a in answers)
    assert not (tmp_path / "ray" / ".ray-token").exists()
    assert ray["technical"]["sampled"] > 0 and ray["technical"]["flagged"] > 0
    assert local["corpus"]["shards"] > 7  # 7 without cutting the plain JSONL files
    for name in ("local", "ray"):
        assert len(list((tmp_path / name / "shards").glob("*.done"))) == local["corpus"]["shards"]


def test_missing_ray_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    paths = make_corpus(news=5, forum=5, parquet=5, books=1)
    engine = get_engine("ray", EngineOptions(workers=2))
    with pytest.raises(MissingDependencyError, match=r'pip install "aibeian\[ray\]"'):
        assess(
            [str(paths["corpus"])],
            sources=paths["sources"],
            keywords=paths["keywords"],
            out=tmp_path / "r",
            engine="ray",
        )
    assert engine.describe()["engine"] == "ray"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def ray_head(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real Ray head (its own process group, its own temp dir), stopped by its id afterwards: `ray stop`
    would stop every Ray process of this user on the machine, not only ours. Token authentication is on,
    as it should be on a shared cluster: the scan finds the token in RAY_AUTH_TOKEN, like any Ray client."""
    pytest.importorskip("ray")
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_AUTH_TOKEN", secrets.token_hex(32))
    ray_cli = Path(sys.executable).with_name("ray")
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="rh", dir="/tmp")  # short: Ray's socket paths live under it
    head = subprocess.Popen(
        [
            str(ray_cli),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--node-ip-address=127.0.0.1",
            "--num-cpus=1",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={temp}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert head.poll() is None, "ray start --head exited"
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        else:
            pytest.fail("the Ray head did not start within 90 s")
        yield address
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(head.pid, signal.SIGTERM)  # --block: the CLI stops the head's processes on SIGTERM
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.ray
@pytest.mark.slow
def test_ray_address_joins_an_external_cluster_with_the_local_result(
    ray_head: str, make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=120, forum=60, parquet=90, books=2)
    common = [
        str(paths["corpus"]),
        "--sources",
        str(paths["sources"]),
        "--keywords",
        str(paths["keywords"]),
        "--sample-rate",
        "0.3",
        "--seed",
        "4",
        "--format",
        "json",
        "--no-progress",
    ]

    def scan(out: Path, *extra: str) -> dict[str, object]:
        done = subprocess.run(
            [sys.executable, "-m", "aibeian", "corpus", "scan", *common, "--out", str(out), *extra],
            check=False,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode in (0, 1), done.stderr[-2000:]
        return dict(json.loads(done.stdout))

    local = scan(tmp_path / "local", "--workers", "1")
    remote = scan(tmp_path / "remote", "--engine", "ray", "--ray-address", ray_head, "--workers", "1")
    assert remote == local
    meta = json.loads((tmp_path / "remote" / "run.json").read_text(encoding="utf-8"))
    assert meta["engine"] == {"engine": "ray", "workers": 1, "ray_address": ray_head}
    assert meta["status"] == "complete"


def test_a_worker_stores_results_only_where_it_sees_the_drivers_token(tmp_path: Path) -> None:
    """A Ray worker on another machine without the run directory must send its result back, never write it
    to a same-named folder of its own: it stores only where it reads back the token the driver wrote."""
    from aibeian.corpus.engines._ray import _TOKEN_FILE, _sees_token, _shared_disk_token

    token = _shared_disk_token(str(tmp_path))
    assert token is not None and _sees_token(str(tmp_path), token)
    assert not _sees_token(str(tmp_path), "someone else's")
    assert not _sees_token(str(tmp_path / "elsewhere"), token)
    (tmp_path / _TOKEN_FILE).unlink()
    assert not _sees_token(str(tmp_path), token)
    assert _shared_disk_token(None) is None
