"""Complaint fixtures: the packaged policy, and a migrated store on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aibeian.complaints import ComplaintPolicy, load_policy
from aibeian.storage import Store, open_store
from storage.databases import db_url, pg_scratch_url

__all__ = ["db_url", "pg_scratch_url"]


@pytest.fixture(scope="session")
def policy() -> ComplaintPolicy:
    return load_policy()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url, migrate=True)
    yield s
    s.dispose()
