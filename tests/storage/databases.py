"""Database fixtures shared by the storage and web tests: every test that takes ``db_url`` runs once on a
fresh SQLite file and once on a fresh PostgreSQL database (when AIBEIAN_TEST_PG_URL is set).

PostgreSQL isolation: one scratch database per test session (created beside ``test``, dropped at the end),
its ``public`` schema recreated before each test, so concurrent sessions on the shared server never collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("AIBEIAN_TEST_PG_URL")


def _admin_conninfo(url: str) -> str:
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_scratch_url() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("AIBEIAN_TEST_PG_URL is not set")
    name = f"aibeian_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _admin_conninfo(PG_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _reset_pg(url: str) -> None:
    with psycopg.connect(_admin_conninfo(url), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty database, on each back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("pg_scratch_url")
    _reset_pg(url)
    return url
