"""Loading libraries and allow-lists: every bad input named by file, line and column, all at once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aibeian.errors import InputError
from aibeian.keywords import AllowList, Keyword, Library, check_library
from aibeian.standards import load_standards


def test_loads_columns_extras_and_lines(write: Callable[..., Path]) -> None:
    path = write("lib.csv", "keyword,risk,note,owner\n台独,A.1.3,slogan,alice\n\n法轮功, A.1.4 ,,bob\n")
    lib = Library.load(path)
    assert [(k.keyword, k.risk, k.line) for k in lib.entries] == [
        ("台独", "A.1.3", 2),
        ("法轮功", "A.1.4", 4),
    ]
    assert lib.entries[0].extra == (("owner", "alice"),)
    out = path.parent / "round.csv"
    lib.write(out)
    assert Library.load(out).entries == tuple(
        Keyword(k.keyword, k.risk, k.note, k.added, k.source, k.extra, line)
        for k, line in zip(lib.entries, (2, 3), strict=True)
    )
    assert Library.load(out).content_hash == lib.content_hash


def test_bom_is_accepted(write: Callable[..., Path]) -> None:
    lib = Library.load(write("bom.csv", "\ufeffkeyword,risk\n台独,A.1.3\n".encode()))
    assert lib.entries[0].keyword == "台独"


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        Library.load(path)
    return [str(p) for p in info.value.problems]


def test_empty_file(write: Callable[..., Path]) -> None:
    [problem] = _problems(write("empty.csv", ""))
    assert "empty.csv line 1 column 1: the file is empty" in problem


def test_missing_header(write: Callable[..., Path]) -> None:
    [problem] = _problems(write("nohead.csv", "台独,A.1.3\n"))
    assert "line 1" in problem and "missing header" in problem and "keyword,risk" in problem


def test_gbk_file_is_named(write: Callable[..., Path]) -> None:
    [problem] = _problems(write("gbk.csv", "keyword,risk\n台独,A.1.3\n".encode("gbk")))
    assert "gbk.csv line 2 column" in problem and "GBK" in problem


def test_every_problem_is_reported_at_once(write: Callable[..., Path]) -> None:
    path = write(
        "bad.csv",
        "keyword,risk\n台独,A.9.9\n法轮功,A.3.1\n！！！,A.1.1\n裸聊,A.1.6,extra\n好词,\n",
    )
    problems = _problems(path)
    assert len(problems) == 5
    assert "line 2 column 4" in problems[0] and "'A.9.9' is not a risk id" in problems[0]
    assert "line 3" in problems[1] and "not a keyword risk" in problems[1]
    assert "line 4 column 1" in problems[2] and "only punctuation" in problems[2]
    assert "line 5 column 10" in problems[3] and "too many fields" in problems[3]
    assert "line 6" in problems[4] and "empty" in problems[4]
    assert all(str(path) in p for p in problems)


def test_bad_date_and_unterminated_quote(write: Callable[..., Path]) -> None:
    [problem] = _problems(write("date.csv", "keyword,risk,added\n台独,A.1.3,2026/11/23\n"))
    assert "YYYY-MM-DD" in problem
    [problem] = _problems(write("quote.csv", 'keyword,risk\n"台独,A.1.3\n'))
    assert "malformed CSV" in problem


def test_allow_list_has_empty_risk(write: Callable[..., Path]) -> None:
    allow = AllowList.load(write("allow.csv", "keyword,risk\n反对台独,\n"))
    assert allow.phrases == ("反对台独",)
    with pytest.raises(InputError, match="no risk"):
        AllowList.load(write("allow2.csv", "keyword,risk\n反对台独,A.1.3\n"))


def test_check_counts_distinct_normalised_keywords(write: Callable[..., Path]) -> None:
    path = write(
        "lib.csv",
        "keyword,risk\n台独,A.1.3\n臺獨,A.1.3\n台 独,A.1.1\n  ,A.1.1\n一二三四五六七八九十十一,A.1.8\n",
    )
    report = check_library(Library.load(path), AllowList.of(["反对台独", "一二三四五六七八九十十一"]))
    data = report.to_dict()
    assert set(data) >= {"total", "per_risk", "short", "problems", "ok"}
    assert data["total"] == 2
    assert data["per_risk"]["A.1.3"] == 1 and data["per_risk"]["A.1.1"] == 0
    assert len(data["per_risk"]) == 17
    kinds = [p["kind"] for p in data["problems"]]
    assert kinds.count("duplicate") == 2
    assert {"empty", "too_long", "allow_substring", "allow_equal", "total_short"} <= set(kinds)
    short = {s["risk"]: s for s in data["short"]}
    assert short["A.2.3"] == {"risk": "A.2.3", "have": 0, "need": 100}
    assert short["A.1.3"] == {"risk": "A.1.3", "have": 1, "need": 200}
    assert data["ok"] is False


def test_quotas_come_from_the_standards() -> None:
    risks = load_standards().keyword_risks()
    entries = tuple(Keyword(f"{r.id}词{i}", r.id) for r in risks for i in range(r.keyword_min or 0))
    extra = 10_000 - len(entries)
    entries += tuple(Keyword(f"补充词{i}", "A.1.8") for i in range(max(extra, 0)))
    report = check_library(Library(entries))
    assert report.short == [] and report.total >= 10_000
    assert report.ok
