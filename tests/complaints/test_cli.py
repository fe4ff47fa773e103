"""``aibeian complaints list|show|export|stats`` on a real database file with the demo's complaints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from aibeian.cli.main import cli
from aibeian.storage import load_demo, open_store

DAY = dt.date(2026, 11, 20)


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    store = open_store(url, migrate=True)
    with store.session() as s:
        load_demo(s, today=DAY)
    store.dispose()
    return url


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_list_and_overdue_exit_code(db: str) -> None:
    code, out = _run("complaints", "list", "--db", db, "--now", DAY.isoformat(), "--format", "json")
    assert code == 0
    rows = json.loads(out)["complaints"]
    assert {r["clock"] for r in rows} == {"overdue", "paused", "answered", "running"}
    overdue = next(r for r in rows if r["clock"] == "overdue")
    assert overdue["category"] == "harmful_content" and overdue["days_left"] < 0
    code, out = _run("complaints", "list", "--db", db, "--now", DAY.isoformat(), "--overdue")
    assert code == 1 and "1 complaint(s)" in out and overdue["tracking"] in out
    code, out = _run("complaints", "list", "--db", db, "--now", DAY.isoformat(), "--status", "replied")
    assert code == 0 and "1 complaint(s)" in out


def test_show_by_id_and_tracking(db: str) -> None:
    code, out = _run("complaints", "show", "2", "--db", db, "--now", DAY.isoformat(), "--format", "json")
    assert code == 0
    row = json.loads(out)
    assert row["status"] == "waiting_reporter" and row["clock"] == "paused"
    assert row["notes"][0]["text"] == "请举报人提供文章链接。"
    code, out = _run("complaints", "show", row["tracking"].lower(), "--db", db)
    assert code == 0 and "<script>alert('x')</script>" in out  # the terminal shows the evidence as written
    code, out = _run("complaints", "show", "TS-20261120-00000000-0", "--db", db)
    assert code != 0 and "tracking" in out and "Traceback" not in out
    code, out = _run("complaints", "show", "99", "--db", db)
    assert code != 0 and "Traceback" not in out


def test_export_and_stats(db: str, tmp_path: Path) -> None:
    out_file = tmp_path / "c.xlsx"
    code, out = _run(
        "complaints", "export", "--db", db, "--out", str(out_file), "--year", "2026", "--with-contact"
    )
    assert code == 0 and "4 complaints" in out
    ws = load_workbook(out_file).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 5 and rows[1][12] == "demo@example.com"
    code, out = _run("complaints", "export", "--db", db, "--out", str(tmp_path / "c.csv"), "--year", "2025")
    assert code == 0 and "0 complaints" in out
    code, out = _run("complaints", "export", "--db", db, "--out", str(tmp_path / "c.pdf"))
    assert code != 0 and ".csv or .xlsx" in out and not (tmp_path / "c.pdf").exists()
    code, out = _run(
        "complaints", "stats", "--db", db, "--year", "2026", "--now", DAY.isoformat(), "--format", "json"
    )
    assert code == 0
    months = json.loads(out)["months"]
    assert len(months) == 12 and sum(m["received"] for m in months) == 4
    assert sum(m["overdue"] for m in months) == 1 and sum(m["answered_on_time"] for m in months) == 1


def test_an_unmigrated_database_is_a_clear_error(tmp_path: Path) -> None:
    code, out = _run("complaints", "list", "--db", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert code != 0 and "migration" in out and "Traceback" not in out
