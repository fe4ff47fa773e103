"""The resume guarantee as a property: cut items.jsonl at any byte (a kill mid-write), resume, and the results
are byte-identical to an uninterrupted run's."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aibeian.evaluation import ClientConfig, RunConfig, run
from evaluation.bankdata import ok, ref, write_bank
from evaluation.fake_openai import FakeOpenAI


@pytest.fixture(scope="module")
def reference() -> Iterator[tuple[FakeOpenAI, Path, Path]]:
    server = FakeOpenAI().start()
    root = Path(tempfile.mkdtemp())
    bank = write_bank(
        root / "bank.jsonl", [ok(i, f"问题{i}") for i in range(5)] + [ref(i, f"REFUSE {i}") for i in range(4)]
    )
    out = root / "reference"
    run(RunConfig(banks=[bank], out=out, target=ClientConfig(base_url=server.url, model="m", concurrency=3)))
    try:
        yield server, bank, out
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_any_cut_resumes_to_identical_results(reference: tuple[FakeOpenAI, Path, Path], cut: float) -> None:
    server, bank, out = reference
    items = (out / "items.jsonl").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        resumed = Path(tmp) / "run"
        resumed.mkdir()
        shutil.copy(out / "run.json", resumed / "run.json")
        (resumed / "items.jsonl").write_bytes(items[: int(len(items) * cut)])
        run(
            RunConfig(
                banks=[bank], out=resumed, target=ClientConfig(base_url=server.url, model="m", concurrency=3)
            )
        )
        assert (resumed / "results.json").read_bytes() == (out / "results.json").read_bytes()
        assert len((resumed / "items.jsonl").read_bytes().splitlines()) == 9
