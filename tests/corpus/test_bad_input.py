"""Bad input: every mistake named with its file and line, corrupt items counted and listed, never dropped,
and the run resumable once the user fixes the file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.corpus.conftest import write_jsonl, write_library, write_parquet

from aibeian.cli.main import cli
from aibeian.corpus import assess, iter_items, load_sources
from aibeian.corpus._readers import Corrupt
from aibeian.errors import InputError


def _corrupt(path: Path, rel: str = "f") -> list[Corrupt]:
    return [i for i in iter_items(path, rel) if isinstance(i, Corrupt)]


def test_corrupt_jsonl_lines_are_located(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(
        b'{"text": "ok"}\n{"text": \n{"text": "\xff\xfe"}\n["list"]\n{"body": "x"}\n{"text": 3}\n\n{"text": "end"}\n'
    )
    found = _corrupt(path, "a.jsonl")
    assert [(c.line, c.message.split(" ")[0]) for c in found] == [
        (2, "not"),
        (3, "not"),
        (4, "not"),
        (5, "field"),
        (6, "field"),
    ]
    assert "UTF-8" in found[1].message and "JSON" in found[0].message and "missing" in found[3].message
    assert [i.key for i in iter_items(path, "a.jsonl") if not isinstance(i, Corrupt)] == [
        "a.jsonl:1",
        "a.jsonl:8",
    ]


def test_truncated_gzip_reports_the_line_where_reading_stopped(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(json.dumps({"text": f"line {i}"}).encode() + b"\n" for i in range(2000)))
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_items(path, "a.jsonl.gz"))
    assert isinstance(items[-1], Corrupt) and "cannot read the rest" in items[-1].message
    assert items[-1].line == len(items)  # the line after the last good one
    (tmp_path / "b.txt.gz").write_bytes(b"not gzip at all")
    assert _corrupt(tmp_path / "b.txt.gz")[0].message.startswith("cannot read the file")


def test_invalid_utf8_text_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("第一行\n第二行\n".encode() + b"\xc3\x28 bad\n")
    [c] = _corrupt(path)
    assert c.line == 3 and "UTF-8" in c.message


def test_parquet_nulls_are_corrupt_rows(tmp_path: Path) -> None:
    path = write_parquet(
        tmp_path / "a.parquet", [{"text": "好"}, {"text": None}, {"text": "好"}], row_group_size=2
    )
    [c] = _corrupt(path, "a.parquet")
    assert c.line == 2 and "null" in c.message


def test_sources_yaml_errors_name_their_lines(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "text_feild: body\nsources:\n  - id: a\n    paths: [x/**]\n  - id: a\n    paths: [y]\n"
        "  - id: 'bad id'\n    licence: x\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_sources(path)
    found = {(p.line, p.field) for p in info.value.problems}
    assert (1, "text_feild") in found and (5, "id") in found and (7, "id") in found and (7, "paths") in found


def _scan(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["corpus", "scan", *args, "--workers", "1", "--no-progress"])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_cli_refuses_what_it_can_check_before_scanning(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=10, forum=10, parquet=10, books=1)
    base = [
        "--sources",
        str(paths["sources"]),
        "--keywords",
        str(paths["keywords"]),
        "--out",
        str(tmp_path / "r"),
    ]
    stray = paths["corpus"] / "other" / "x.jsonl"
    write_jsonl(stray, [{"text": "无来源"}])
    code, out = _scan([str(paths["corpus"]), *base])
    assert code == 2 and "other/x.jsonl" in out and "matches no source" in out
    stray.unlink()
    write_parquet(paths["corpus"] / "news" / "c.parquet", [{"body": "x"}], row_group_size=10)
    code, out = _scan([str(paths["corpus"]), *base])
    assert code == 2 and 'no column "text"' in out and "c.parquet" in out and "body" in out
    (paths["corpus"] / "news" / "c.parquet").unlink()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out = _scan([str(empty), *base])
    assert code == 2 and "the corpus is empty" in out
    code, out = _scan([str(paths["corpus"]), *base, "--sample-rate", "0.05"])
    assert code == 2 and "below the standard's minimum" in out
    code, out = _scan([str(tmp_path / "nope"), *base])
    assert code == 2 and "no such file or folder" in out
    bad_lib = write_library(tmp_path / "bad.csv", {"词": "Z.9"})
    code, out = _scan(
        [
            str(paths["corpus"]),
            "--sources",
            str(paths["sources"]),
            "--keywords",
            str(bad_lib),
            "--out",
            str(tmp_path / "r2"),
        ]
    )
    assert code == 2 and "bad.csv line 2" in out
    assert "Traceback" not in out


def test_corrupt_lines_are_counted_reported_and_resumable_after_a_fix(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=50, forum=20, parquet=20, books=1)
    bad = paths["corpus"] / "news" / "a.jsonl"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[9] = '{"text": "broken'
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    args = [
        str(paths["corpus"]),
        "--sources",
        str(paths["sources"]),
        "--keywords",
        str(paths["keywords"]),
        "--out",
        str(out),
    ]
    code, text = _scan(args)
    assert code == 1 and "news/a.jsonl:10" in text
    report = json.loads(CliRunner().invoke(cli, ["corpus", "report", str(out), "--format", "json"]).output)
    assert report["problems"]["corrupt"]["count"] == 1
    assert report["problems"]["corrupt"]["examples"][0] == {
        "path": "news/a.jsonl",
        "line": 10,
        "message": report["problems"]["corrupt"]["examples"][0]["message"],
    }
    assert (
        report["conclusion"]["status"] in ("incomplete", "fail")
        and "corrupt_items" in report["conclusion"]["missing"]
    )
    assert report["corpus"]["items"] == 50 + 25 + 20 + 20 + 1 - 1  # a .txt file is one item
    lines[9] = json.dumps({"text": "修好了"}, ensure_ascii=False)
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, text = _scan(args)
    assert code == 0
    fixed = json.loads(CliRunner().invoke(cli, ["corpus", "report", str(out), "--format", "json"]).output)
    assert (
        fixed["problems"]["corrupt"]["count"] == 0
        and fixed["corpus"]["items"] == report["corpus"]["items"] + 1
    )


def test_items_of_no_source_by_field_are_an_unassigned_bucket(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(
        corpus / "all.jsonl",
        [
            {"text": "新闻一", "src": "news"},
            {"text": "帖子", "src": "forum"},
            {"text": "来历不明", "src": "mystery"},
            {"text": "无字段"},
        ],
    )
    sources = tmp_path / "s.yaml"
    sources.write_text(
        "source_field: src\nsources:\n  - id: news\n  - id: forum\n    values: [bbs]\n"
        "  - id: rest\n    values: [forum]\n",
        encoding="utf-8",
    )
    report = assess(
        [str(corpus)],
        sources=sources,
        keywords=write_library(tmp_path / "k.csv"),
        out=tmp_path / "r",
        sample_rate=1.0,
    )
    rows = {r["id"]: r["items"] for r in report["sources"]}
    assert rows == {"news": 1, "forum": 0, "rest": 1, "unassigned": 2}
    assert {e["id"] for e in report["problems"]["unassigned"]["examples"]} == {"all.jsonl:3", "all.jsonl:4"}
    assert "unassigned_items" in report["conclusion"]["missing"]


def test_unsupported_files_in_a_folder_are_listed_not_silently_skipped(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=10, forum=10, parquet=10, books=1)
    (paths["corpus"] / "news" / "notes.csv").write_text("a,b\n", encoding="utf-8")
    report = assess(
        [str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=tmp_path / "r"
    )
    assert report["corpus"]["ignored_files"] == [f"{paths['corpus']}/news/notes.csv"]
