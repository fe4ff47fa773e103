"""The columnar block readers (our C lexer, pyarrow's JSON parser, Arrow batches) yield exactly what the
item-by-item reference reader yields: the same items, keys, texts, source values, problems and line
numbers, including on the inputs where pyarrow, the lexer and ``json.loads`` could disagree. Every test runs
twice: with the C lexer (``native``) and without it (``arrow``, as on a machine without the extension)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.conftest import write_parquet

from aibeian.corpus import _blocks as blocks_module
from aibeian.corpus import iter_items
from aibeian.corpus._blocks import iter_blocks
from aibeian.corpus._readers import Corrupt

Record = tuple[object, ...]


@pytest.fixture(autouse=True, params=["native", "arrow"])
def reader(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run each test with and without the C lexer (restored by hand: hypothesis tests cannot take the
    function-scoped monkeypatch)."""
    if request.param == "native" and blocks_module.NATIVE is None:
        pytest.skip("the C lexer extension is not built")
    original = blocks_module.NATIVE
    if request.param == "arrow":
        blocks_module.NATIVE = None
    try:
        yield request.param
    finally:
        blocks_module.NATIVE = original


# Lines on which pyarrow and json.loads differ, or that are easy to get wrong, next to ordinary ones.
LINES = [
    b'{"text": "\xe6\x99\xae\xe9\x80\x9a\xe7\x9a\x84\xe4\xb8\x80\xe6\x9d\xa1"}',
    b'{"text": "with \\"quotes\\", \\\\ and \\n escapes \\u4e2d\\ud83d\\ude00"}',
    b'{"id": 7, "text": "extra fields", "meta": {"a": [1, 2.5, null, true]}, "n": NaN}',
    b'{"text": "a", "src": "forum"}',
    b'{"text": "b", "src": 3}',
    b'{"text": "c", "src": null}',
    b"",
    b"   ",
    b"\x0c",
    b'\xef\xbb\xbf{"text": "after a BOM"}',
    b'{"text": "one"} {"text": "two on one line"}',
    b'{"text":',
    b' "an object over two lines"}',
    b'{"text": "tab\tinside"}',
    b'{"text": "x", "other": "tab\tinside"}',
    b'{"text": "bad \xff byte"}',
    b'{"text": "x", "other": "bad \xff byte elsewhere"}',
    b'{"text": "lone \\ud800 surrogate"}',
    b'{"text": "x", "other": "\\ud800"}',
    b'{"text": 5}',
    b'{"text": null}',
    b'{"no_text": "x"}',
    b'{"text": "a", "text": "duplicate key"}',
    b"[1, 2]",
    b'"just a string"',
    b'{"text": "x", "big": 1e400}',
    b'{"text": "x", "deep": [[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]}',
    b'{"text": "trailing garbage"} x',
    b'{"text": "crlf line"}\r',
    b'  {"text": "padded"}  ',
    b'{"text": ""}',
    b"{}",
]


def _reference(path: Path, rel: str, **kwargs: object) -> list[Record]:
    out: list[Record] = []
    for item in iter_items(path, rel, **kwargs):  # type: ignore[arg-type]
        if isinstance(item, Corrupt):
            out.append(("corrupt", item.path, item.line, item.message))
        else:
            out.append(("item", item.key, item.text, item.source_value))
    return out


def _blocks(path: Path, rel: str, **kwargs: object) -> list[Record]:
    """Flattened blocks; a block's problems are placed by line number, as the reference interleaves them."""
    out: list[Record] = []
    for block in iter_blocks(path, rel, **kwargs):  # type: ignore[arg-type]
        texts = block.texts()
        assert len(texts) == len(block.keys) == len(block.lengths)
        values = block.values if block.values is not None else [None] * len(block.keys)
        rows: list[tuple[float, Record]] = [
            (_position(key), ("item", key, text, value))
            for key, text, value in zip(block.keys, texts, values, strict=True)
        ]
        rows += [(c.line or 0, ("corrupt", c.path, c.line, c.message)) for c in block.corrupt]
        out += [r for _, r in sorted(rows, key=lambda r: r[0])]
    return out


def _position(key: str) -> float:
    for sep in (":", "#"):
        if sep in key:
            return float(key.rsplit(sep, 1)[1])
    return 0.0


def _write(path: Path, data: bytes, compression: str | None) -> Path:
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "zstd":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("compression", [None, "gzip", "zstd"])
@pytest.mark.parametrize("block_bytes", [1 << 20, 40])
def test_every_tricky_line_reads_as_the_reference_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compression: str | None, block_bytes: int
) -> None:
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", block_bytes)  # small: every line its own block
    suffix = {None: "", "gzip": ".gz", "zstd": ".zst"}[compression]
    path = _write(tmp_path / f"t.jsonl{suffix}", b"\n".join(LINES) + b"\n", compression)
    for source_field in (None, "src"):
        expected = _reference(path, "t.jsonl", source_field=source_field)
        assert _blocks(path, "t.jsonl", source_field=source_field) == expected
        assert any(r[0] == "corrupt" for r in expected) and any(r[0] == "item" for r in expected)


def test_clean_blocks_take_a_fast_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    """Ordinary JSONL is read a block at a time (by the C lexer, else by pyarrow), never line by line, with
    or without other fields, and a last line with no newline still counts."""
    calls: list[int] = []
    original = blocks_module.jsonl_record
    monkeypatch.setattr(blocks_module, "jsonl_record", lambda *a: calls.append(1) or original(*a))
    only_text = b"".join(json.dumps({"text": f"第{i}条"}).encode() + b"\n" for i in range(100))
    more = b"".join(json.dumps({"id": i, "text": f"第{i}条", "n": [i]}).encode() + b"\n" for i in range(100))
    for name, rows in (("a.jsonl", only_text), ("b.jsonl", more)):
        path = _write(tmp_path / name, rows + b'{"text": "last"}', None)
        found = list(iter_blocks(path, name))
        assert len(found) == 1 and found[0].keys[-1] == f"{name}:101"
        assert (found[0].lexed is not None) == (reader == "native")
        assert not calls
        assert _blocks(path, name) == _reference(path, name)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(st.sampled_from(range(len(LINES))), min_size=1, max_size=25),
    block_bytes=st.sampled_from([1, 64, 1 << 20]),
    final_newline=st.booleans(),
)
def test_random_mixes_read_as_the_reference_reads_them(
    tmp_path: Path, picks: list[int], block_bytes: int, final_newline: bool
) -> None:
    data = b"\n".join(LINES[i] for i in picks) + (b"\n" if final_newline else b"")
    path = _write(tmp_path / "m.jsonl", data, None)
    original = blocks_module.BLOCK_BYTES
    blocks_module.BLOCK_BYTES = block_bytes
    try:
        for source_field in (None, "src"):
            assert _blocks(path, "m.jsonl", source_field=source_field) == _reference(
                path, "m.jsonl", source_field=source_field
            )
    finally:
        blocks_module.BLOCK_BYTES = original


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_broken_stream_stops_where_the_reference_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compression: str
) -> None:
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", 4096)
    body = b"".join(json.dumps({"text": f"第{i}条" * 20}).encode() + b"\n" for i in range(3000))
    whole = _write(tmp_path / "whole", body, compression).read_bytes()
    truncated = _write(tmp_path / f"cut.jsonl.{'gz' if compression == 'gzip' else 'zst'}", b"", None)
    truncated.write_bytes(whole[: len(whole) // 2])
    corrupted = tmp_path / f"bad.jsonl.{'gz' if compression == 'gzip' else 'zst'}"
    middle = bytearray(whole)
    for i in range(len(middle) // 2, len(middle) // 2 + 64):
        middle[i] ^= 0x5A
    corrupted.write_bytes(bytes(middle))
    for path in (truncated, corrupted):
        expected = _reference(path, "x.jsonl")
        assert expected[-1][0] == "corrupt"  # gzip: "cannot read the rest"; zstd: a cut last line
        assert _blocks(path, "x.jsonl") == expected


def test_parquet_batches_read_as_the_reference_reads_them(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"text": None if i % 7 == 3 else f"第{i}条", "src": "forum" if i % 2 else None} for i in range(50)
    ]
    plain = write_parquet(tmp_path / "p.parquet", rows, row_group_size=16)
    large = tmp_path / "l.parquet"
    pq.write_table(pa.table({"text": pa.array([r["text"] for r in rows], pa.large_string())}), large)
    numbers = tmp_path / "n.parquet"
    pq.write_table(pa.table({"text": pa.array([1, None, 3])}), numbers)
    missing = tmp_path / "m.parquet"
    pq.write_table(pa.table({"body": pa.array(["x"])}), missing)
    for path in (plain, large, numbers, missing):
        for kwargs in ({}, {"source_field": "src"}, {"row_group": 1} if path == plain else {}):
            assert _blocks(path, path.name, **kwargs) == _reference(path, path.name, **kwargs)


def test_text_files_and_unsupported_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("第一行\n第二行", encoding="utf-8")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress("压缩的文本".encode()))
    (tmp_path / "c.txt").write_bytes(b"ok\n\xff broken")
    (tmp_path / "d.csv").write_text("x", encoding="utf-8")
    for name in ("a.txt", "b.txt.gz", "c.txt", "d.csv"):
        assert _blocks(tmp_path / name, name) == _reference(tmp_path / name, name)


def test_an_empty_file_has_no_items(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"")
    assert _blocks(path, "e.jsonl") == _reference(path, "e.jsonl") == []
    path.write_bytes(b"\n\n  \n")
    assert _blocks(path, "e.jsonl") == _reference(path, "e.jsonl") == []


@pytest.mark.parametrize("index", range(len(LINES)))
def test_each_tricky_line_alone_reads_as_the_reference_reads_it(tmp_path: Path, index: int) -> None:
    """Alone in a file, a line meets the strict parse (text field only) first, not the lenient one."""
    path = _write(tmp_path / "one.jsonl", LINES[index] + b"\n" + LINES[0] + b"\n", None)
    for source_field in (None, "src"):
        assert _blocks(path, "one.jsonl", source_field=source_field) == _reference(
            path, "one.jsonl", source_field=source_field
        )
