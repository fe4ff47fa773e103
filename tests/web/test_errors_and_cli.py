"""A database that is unreachable or at the wrong migration: a clear page, clear JSON, a clear CLI message —
never a traceback. And the ``aibeian users`` / ``aibeian serve`` commands."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text

from aibeian.cli.main import cli
from aibeian.storage import Store, authenticate, open_store
from aibeian.web import create_app
from web.conftest import make_settings

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none"


def test_unreachable_database_is_a_clear_page(tmp_path: Path) -> None:
    with TestClient(create_app(make_settings(tmp_path, UNREACHABLE)), follow_redirects=False) as c:
        r = c.get("/login")
        assert r.status_code == 503
        assert "数据库不可用" in r.text and "cannot reach the database" in r.text
        assert "Traceback" not in r.text
        r = c.get("/api/services")
        assert r.status_code == 503 and r.json()["error"] == "storage"


def test_wrong_migration_is_a_clear_page(tmp_path: Path, store: Store, sqlite_url: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    with TestClient(create_app(make_settings(tmp_path, sqlite_url)), follow_redirects=False) as c:
        r = c.get("/")
        assert r.status_code == 503 and "ffff_future" in r.text and "does not know" in r.text


def test_empty_database_page_says_how_to_migrate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    with TestClient(create_app(make_settings(tmp_path, url)), follow_redirects=False) as c:
        r = c.get("/login")
        assert r.status_code == 503 and "aibeian serve" in r.text


def test_users_create_migrates_and_the_account_signs_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    runner = CliRunner()
    r = runner.invoke(
        cli,
        ["users", "create", "alice", "--role", "admin", "--db", url],
        input="a-long-password\na-long-password\n",
    )
    assert r.exit_code == 0, r.output
    assert "created admin 'alice'" in r.output
    r = runner.invoke(cli, ["users", "list", "--db", url])
    assert r.exit_code == 0 and "alice\tadmin\tactive" in r.output
    r = runner.invoke(cli, ["users", "set-password", "alice", "--password", "another-long-one", "--db", url])
    assert r.exit_code == 0
    store = open_store(url)
    with store.session() as s:
        assert authenticate(s, username="alice", password="another-long-one") is not None
    store.dispose()


def test_users_create_bad_input_is_one_clear_message(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    r = CliRunner().invoke(cli, ["users", "create", "x y", "--password", "short", "--db", url])
    assert r.exit_code == 2
    assert "2 problems found" in r.output and "password" in r.output and "Traceback" not in r.output


def test_cli_unreachable_database(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["users", "list", "--db", UNREACHABLE])
    assert r.exit_code == 2 and "cannot reach the database" in r.output
    r = CliRunner().invoke(cli, ["serve", "--db", UNREACHABLE, "--port", "1"])
    assert r.exit_code == 2 and "cannot reach the database" in r.output


def test_cli_wrong_migration(tmp_path: Path, store: Store, sqlite_url: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    r = CliRunner().invoke(cli, ["serve", "--db", sqlite_url])
    assert r.exit_code == 2 and "does not know" in r.output
