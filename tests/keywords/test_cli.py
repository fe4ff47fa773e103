"""The `aibeian keywords` commands through click's runner, on real files in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner
from tests.keywords.conftest import EXAMPLES, SMALL

from aibeian.cli.main import cli


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["keywords", *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_scan_jsonl_contract(write: Callable[..., Path]) -> None:
    lib = write("lib.csv", SMALL)
    text = write("in.txt", "第一行\r\n有人写 臺*獨，还有 FaLunGong\n")
    code, out, _ = run("scan", str(lib), str(text))
    assert code == 1
    rows = [json.loads(line) for line in out.splitlines()]
    assert [list(r) for r in rows] == [["file", "start", "end", "text", "keyword", "risk", "evasion"]] * 2
    with open(text, encoding="utf-8", newline="") as fh:  # keep \r\n as two code points
        original = fh.read()
    for r in rows:
        assert original[r["start"] : r["end"]] == r["text"]
    assert rows[0]["evasion"] == ["traditional", "noise"] and rows[0]["keyword"] == "台独"
    assert rows[1]["evasion"] == ["pinyin"] and rows[1]["risk"] == "A.1.4"


def test_scan_exit_0_when_clean_and_stdin(write: Callable[..., Path]) -> None:
    lib = write("lib.csv", SMALL)
    assert run("scan", str(lib), "-", input="干净的文字\n")[0] == 0
    code, out, _ = run("scan", str(lib), input="支持臺獨\n")
    assert code == 1 and json.loads(out)["file"] == "-"


def test_scan_allow_and_text_format(write: Callable[..., Path]) -> None:
    lib = write("lib.csv", SMALL)
    allow = write("allow.csv", "keyword,risk\n反对台独,\n")
    assert run("scan", str(lib), "--allow", str(allow), input="坚决反对台独")[0] == 0
    code, out, _ = run("scan", str(lib), "--format", "text", input="台 独")
    assert code == 1 and "台独 (A.1.3) [noise]" in out


def test_scan_bad_library_exits_2_without_traceback(write: Callable[..., Path]) -> None:
    lib = write("lib.csv", "keyword,risk\n台独,A.9.9\n！！,A.1.1\n")
    code, out, err = run("scan", str(lib), input="x")
    assert code == 2 and out == ""
    assert "2 problems found" in err and "Traceback" not in err
    code, _, err = run("scan", str(write("ok.csv", SMALL)), str(write("gbk.txt", "台独".encode("gbk"))))
    assert code == 2 and "GBK" in err


def test_check_json_and_exit_codes(write: Callable[..., Path]) -> None:
    code, out, _ = run("check", str(write("lib.csv", SMALL)), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["total"] == 6
    code, out, _ = run("check", str(EXAMPLES / "library.csv"))
    assert code == 1 and "short by" in out
    assert run("check", str(write("empty.csv", "")))[0] == 2


def test_import_writes_nothing_on_bad_mapping(write: Callable[..., Path], tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "政治.txt").write_text("台独\n臺獨\n\n！！\n法轮功\n", encoding="utf-8")
    (lists / "广告.txt").write_text("兼职\n", encoding="utf-8")
    out = tmp_path / "lib.csv"
    bad = write("bad.yaml", "lists:\n  政治: A.9.9\n")
    code, _, err = run("import", str(lists), "--map", str(bad), "--out", str(out))
    assert code == 2 and not out.exists()
    assert (
        "2 problems found" in err
        and "bad.yaml line 2" in err
        and "广告.txt: this list is not in the mapping" in err
    )
    good = write("good.yaml", "source: test\nlists:\n  政治: {risk: A.1.1, note: politics}\n  广告: skip\n")
    code, _, err = run("import", str(lists), "--map", str(good), "--out", str(out))
    assert code == 0, err
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows == [
        "keyword,risk,note,added,source",
        "台独,A.1.1,politics,,test:政治.txt",
        "法轮功,A.1.1,politics,,test:政治.txt",
    ]
    assert "dropped 1 repeated" in err


def test_release_history_diff(write: Callable[..., Path], tmp_path: Path) -> None:
    store = tmp_path / "store"
    v1 = write("v1.csv", SMALL)
    v2 = write("v2.csv", SMALL.replace("地域黑,A.2.4,\n", "") + "新词,A.1.8,\n法轮大法,A.1.4,\n")
    assert run("release", str(v1), "--store", str(store), "--date", "2026-11-02")[0] == 0
    code, out, err = run("release", str(v1), "--store", str(store), "--date", "2026-11-03")
    assert code == 2 and "unchanged" in err
    code, out, _ = run("release", str(v2), "--store", str(store), "--date", "2026-11-16", "--format", "json")
    meta = json.loads(out)
    assert code == 0 and meta["version"] == "2026-11-16.1" and meta["added"] == 2 and meta["removed"] == 1
    assert meta["previous"] == "2026-11-02.1" and len(meta["content_hash"]) == 64
    assert (store / "2026-11-16.1" / "library.csv").is_file()
    code, _, err = run("release", str(v1), "--store", str(store), "--date", "2026-11-10")
    assert code == 2 and "earlier" in err

    code, out, _ = run("history", "--store", str(store), "--as-of", "2026-11-20", "--format", "json")
    data = json.loads(out)
    assert code == 1 and [r["version"] for r in data["releases"]] == ["2026-11-02.1", "2026-11-16.1"]
    assert data["gaps"] == [{"after": "2026-11-02.1", "before": "2026-11-16.1", "days": 14}]
    code, out, _ = run("history", "--store", str(store), "--as-of", "2026-11-20")
    assert "gap: 14 days" in out

    code, out, _ = run("diff", str(v1), str(v2))
    assert code == 1 and "+ 新词,A.1.8" in out and "- 地域黑,A.2.4" in out
    code, out, _ = run("diff", "2026-11-02.1", "latest", "--store", str(store), "--format", "json")
    assert code == 1 and json.loads(out)["counts"] == {"added": 2, "removed": 1, "changed": 0}
    assert run("diff", str(v1), str(v1))[0] == 0


def test_weekly_releases_have_no_gap(write: Callable[..., Path], tmp_path: Path) -> None:
    store = tmp_path / "store"
    for day, extra in (("2026-11-02", "a"), ("2026-11-09", "b"), ("2026-11-16", "c")):
        lib = write(f"{day}.csv", SMALL + f"新词{extra},A.1.8\n")
        assert run("release", str(lib), "--store", str(store), "--date", day)[0] == 0
    code, out, _ = run("history", "--store", str(store), "--as-of", "2026-11-20", "--format", "json")
    assert code == 0 and json.loads(out)["ok"] is True
    code, out, _ = run("history", "--store", str(store), "--as-of", "2026-12-01", "--format", "json")
    assert code == 1 and json.loads(out)["gaps"] == [{"after": "2026-11-16.1", "before": None, "days": 15}]
