"""``aibeian doctor`` reports what the installation can do; it never changes anything it looks at."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from aibeian.doctor import run_checks
from aibeian.doctor._checks import _check_holidays
from aibeian.keywords import ENGINE
from aibeian.settings import Settings
from aibeian.storage import open_store


def _by_name(settings: Settings) -> dict[str, dict[str, object]]:
    return {c.name: c.to_dict() for c in run_checks(settings)}


def test_json_report_names_every_check_and_the_engine(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["doctor", "--format", "json"], env={"AIBEIAN_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    names = [c["name"] for c in report["checks"]]
    assert names[:3] == ["aibeian", "standards", "matcher"]
    assert {
        "corpus-reader",
        "holiday-calendar",
        "database",
        "cjk-font",
        "ffmpeg",
        "espeak-ng",
        "libturbojpeg",
        "ray",
    } <= set(names)
    matcher = next(c for c in report["checks"] if c["name"] == "matcher")
    assert f"engine {ENGINE}" in matcher["detail"]
    assert report["ok"] is True


def test_the_corpus_reader_check_says_which_reader_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from aibeian.corpus import _blocks

    assert _by_name(Settings(home=tmp_path))["corpus-reader"]["status"] == (
        "ok" if _blocks.NATIVE is not None else "warn"
    )
    monkeypatch.setattr(_blocks, "NATIVE", None)
    check = _by_name(Settings(home=tmp_path))["corpus-reader"]
    assert check["status"] == "warn" and "pyarrow" in str(check["detail"]) and check["hint"]


def test_looking_at_a_missing_sqlite_database_does_not_create_it(tmp_path: Path) -> None:
    db = tmp_path / "wb.sqlite3"
    checks = _by_name(Settings(home=tmp_path, db_url=f"sqlite:///{db}"))
    assert checks["database"]["status"] == "warn" and "not created yet" in str(checks["database"]["detail"])
    assert not db.exists()


def test_a_migrated_database_is_ok(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite3'}"
    open_store(url, migrate=True).engine.dispose()
    assert _by_name(Settings(home=tmp_path, db_url=url))["database"]["status"] == "ok"


def test_unreachable_database_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    checks = _by_name(Settings(home=tmp_path, db_url="postgresql://nobody@127.0.0.1:1/none"))
    assert checks["database"]["status"] == "warn"


def test_missing_tools_warn_with_the_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aibeian.labeling._render import find_cjk_font

    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: no ffmpeg, no espeak-ng, no fc-list
    cache_clear = getattr(find_cjk_font, "cache_clear", None)
    if cache_clear:
        cache_clear()  # the font lookup is cached per process
    checks = _by_name(Settings(home=tmp_path))
    assert checks["ffmpeg"]["status"] == "missing" and checks["ffmpeg"]["hint"] == "apt-get install ffmpeg"
    assert checks["espeak-ng"]["status"] == "missing"
    assert checks["cjk-font"]["status"] == "missing"
    result = CliRunner().invoke(cli, ["doctor", "--lang", "en"], env={"AIBEIAN_HOME": str(tmp_path)})
    assert result.exit_code == 0 and "The core works." in result.output  # optional tools only warn
    if cache_clear:
        cache_clear()  # do not leave "no font" cached for the tests that follow


def test_holiday_calendar_warns_near_the_end_of_its_data() -> None:
    import chinese_calendar

    last = max(y for y in range(2004, 2100) if _known(chinese_calendar, y))
    assert _check_holidays(dt.date(last, 3, 1)).status == "ok"
    late = _check_holidays(dt.date(last, 12, 1))
    assert late.status == "warn" and str(last + 1) in late.detail
    beyond = _check_holidays(dt.date(last + 1, 2, 1))
    assert beyond.status == "error" and beyond.required


def test_zh_is_the_default_text(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["doctor"], env={"AIBEIAN_HOME": str(tmp_path), "AIBEIAN_LANG": "zh"})
    assert "检查项" in result.output and "核心功能可用" in result.output


def _known(module: object, year: int) -> bool:
    try:
        module.is_workday(dt.date(year, 6, 1))  # type: ignore[attr-defined]
    except NotImplementedError:
        return False
    return True
