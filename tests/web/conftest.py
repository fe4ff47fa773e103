"""In-process workbench: ``create_app(test_settings)`` over a migrated store with one user per role."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from aibeian.settings import Settings
from aibeian.storage import Actor, Store, create_user, open_store
from aibeian.web import create_app
from storage.databases import db_url, pg_scratch_url

__all__ = ["db_url", "pg_scratch_url"]

PASSWORD = "a-long-test-password"
ROLES = ("admin", "reviewer", "viewer")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_settings(tmp_path: Path, url: str, **extra: object) -> Settings:
    return Settings(
        home=tmp_path / "home",
        db_url=url,
        secret_key=SecretStr("test-secret"),
        runs_dir=tmp_path / "runs",
        **extra,
    )


def seed_users(store: Store) -> None:
    with store.session() as s:
        for role in ROLES:
            create_user(s, username=role, password=PASSWORD, role=role, actor=Actor(name="test"))


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated and seeded once: argon2 hashing is deliberately slow, so tests copy this file."""
    path = tmp_path_factory.mktemp("template") / "web.sqlite3"
    s = open_store(f"sqlite:///{path}", migrate=True)
    seed_users(s)
    with s.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    s.dispose()
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _template_db: Path) -> str:
    target = tmp_path / "web.sqlite3"
    shutil.copyfile(_template_db, target)
    return f"sqlite:///{target}"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    s = open_store(sqlite_url)
    yield s
    s.dispose()


@pytest.fixture
def settings(tmp_path: Path, sqlite_url: str, store: Store) -> Settings:
    return make_settings(tmp_path, sqlite_url)


@pytest.fixture
def client(settings: Settings, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store), follow_redirects=False) as c:
        yield c


def csrf_of(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    match = _CSRF.search(page.text)
    assert match, f"no CSRF token on {path}: {page.status_code}"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text


@pytest.fixture
def as_role(client: TestClient):  # type: ignore[no-untyped-def]
    def _login(role: str) -> TestClient:
        login(client, role)
        return client

    return _login
