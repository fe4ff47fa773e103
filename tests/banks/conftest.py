"""Fixtures for bank tests: the loopback OpenAI-compatible server plays the generator model."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evaluation.fake_openai import FakeOpenAI


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    s = FakeOpenAI().start()
    try:
        yield s
    finally:
        s.stop()
