"""A big uncompressed JSONL file is cut into parts (spans), each its own shard: the items, line numbers,
problems and hashes of the parts together are exactly those of the whole file, so cutting changes nothing
but how many workers can share the file and how much a resume redoes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.conftest import texts, write_library

from aibeian.corpus import RunDir, assess, draw_manual_sample, plan_shards
from aibeian.corpus import _blocks as blocks_module
from aibeian.corpus import _plan as plan_module
from aibeian.corpus._blocks import iter_blocks
from aibeian.corpus._readers import Item, iter_items
from aibeian.corpus._sampling import item_hashes_array
from aibeian.corpus._sources import load_sources

SOURCES = 'sources:\n  - id: web\n    paths: ["*"]\n'


def _lines(n: int, seed: int = 0) -> list[bytes]:
    """JSONL lines with the awkward cases among them: blank lines, a corrupt line, CRLF, a long line."""
    out = [json.dumps({"text": t}, ensure_ascii=False).encode() + b"\n" for t in texts(n, 7, seed)]
    out[3] = b"\n"  # blank: counted as a line, not an item
    out[n // 2] = b'{"text": "broken\n'  # corrupt: reported with its line number
    out[n // 3] = out[n // 3].rstrip(b"\n") + b"\r\n"
    out[2 * n // 3] = json.dumps({"text": "长" * 3000}, ensure_ascii=False).encode() + b"\n"
    return out


def _big_file(tmp: Path, lines: list[bytes], *, trailing_newline: bool = True) -> tuple[Path, Path, Path]:
    """(corpus folder, sources.yaml, the file): one JSONL file ``big.jsonl`` of ``lines``."""
    corpus = tmp / "corpus"
    corpus.mkdir()
    data = b"".join(lines)
    path = corpus / "big.jsonl"
    path.write_bytes(data if trailing_newline else data.rstrip(b"\n"))
    sources = tmp / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    return corpus, sources, path


def _plan(corpus: Path, sources: Path) -> Any:
    return plan_shards([str(corpus)], load_sources(sources))


def _items(path: Path, rel: str, span: Any = None) -> list[tuple[str, str] | tuple[None, int | None, str]]:
    found: list[tuple[str, str] | tuple[None, int | None, str]] = []
    for item in iter_items(path, rel, span=span):
        found.append((item.key, item.text) if isinstance(item, Item) else (None, item.line, item.message))
    return found


@pytest.mark.parametrize("native", [True, False])
@pytest.mark.parametrize("trailing_newline", [True, False])
def test_parts_cover_the_file_at_line_ends_with_their_first_line_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trailing_newline: bool, native: bool
) -> None:
    if not native:
        monkeypatch.setattr(blocks_module, "NATIVE", None)  # line breaks counted by numpy
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    monkeypatch.setattr(plan_module, "_COUNT_CHUNK", 1000)  # cuts and line breaks across read chunks
    corpus, sources, data_file = _big_file(tmp_path, _lines(400), trailing_newline=trailing_newline)
    shards = _plan(corpus, sources).shards
    data = data_file.read_bytes()
    assert len(shards) > 5
    spans = [s.span for s in shards]
    assert spans[0].start == 0 and spans[-1].end == len(data)
    for before, after in itertools.pairwise(spans):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert after.first_line == data[: after.start].count(b"\n") + 1
    # the parts' items (and problems) are the whole file's, in order
    whole = _items(data_file, "big.jsonl")
    parted = [x for span in spans for x in _items(data_file, "big.jsonl", span)]
    assert parted == whole
    assert [x[1] for x in parted if x[0] is None] == [201]  # the corrupt line, with its line in the file


@pytest.mark.parametrize("native", [True, False])
def test_blocks_of_the_parts_equal_the_blocks_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, native: bool
) -> None:
    if not native:
        monkeypatch.setattr(blocks_module, "NATIVE", None)
    elif blocks_module.NATIVE is None:
        pytest.skip("the C lexer is not built")
    monkeypatch.setattr(plan_module, "PART_BYTES", 5000)
    corpus, sources, data_file = _big_file(tmp_path, _lines(300, seed=4))

    def columns(span: Any = None) -> tuple[list[str], list[int], list[int], list[tuple[int | None, str]]]:
        keys: list[str] = []
        lengths: list[int] = []
        hashes: list[int] = []
        corrupt: list[tuple[int | None, str]] = []
        for block in iter_blocks(data_file, "big.jsonl", span=span, seed=3):
            keys += block.keys
            lengths += block.lengths.tolist()
            tech = block.hashes[0] if block.hashes is not None else item_hashes_array(3, block.keys)[0]
            hashes += tech.tolist()
            corrupt += [(c.line, c.message) for c in block.corrupt]
        return keys, lengths, hashes, corrupt

    whole = columns()
    spans = [s.span for s in _plan(corpus, sources).shards]
    assert len(spans) > 3
    parted: tuple[list[Any], ...] = ([], [], [], [])
    for span in spans:
        for acc, part in zip(parted, columns(span), strict=True):
            acc.extend(part)
    assert parted == whole


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=60),
    part=st.integers(min_value=50, max_value=2000),
    chunk=st.integers(min_value=7, max_value=900),
)
def test_cuts_are_right_for_any_line_lengths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sizes: list[int], part: int, chunk: int
) -> None:
    """Random line lengths (empty lines, lines longer than a part) and read chunks: every cut is right after a
    line break, the parts tile the file, and each first line number is right."""
    monkeypatch.setattr(plan_module, "PART_BYTES", part)
    monkeypatch.setattr(plan_module, "_COUNT_CHUNK", chunk)
    data = b"".join(b"x" * n + b"\n" for n in sizes)
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    stat = path.stat()
    found = plan_module._spans(
        plan_module.CorpusFile(str(path), "f.jsonl", stat.st_size, stat.st_mtime_ns, "web"), None
    )
    if not found:
        assert round(len(data) / part) < 2
        return
    assert found[0].start == 0 and found[-1].end == len(data)
    for span in found:
        assert span.start < span.end
        assert span.start == 0 or data[span.start - 1] == ord("\n")
        assert span.first_line == data[: span.start].count(b"\n") + 1
    assert all(a.end == b.start for a, b in itertools.pairwise(found))


def test_a_resumed_plan_reuses_the_parts_without_reading_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    corpus, sources, _ = _big_file(tmp_path, _lines(300))
    first = _plan(corpus, sources)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read again")

    monkeypatch.setattr(plan_module, "open", no_reading, raising=False)
    again = plan_shards([str(corpus)], load_sources(sources), first.to_dict()["spans"])
    assert again.shards == first.shards
    # a changed file is cut again
    monkeypatch.undo()
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    with open(corpus / "big.jsonl", "ab") as fh:
        fh.write(b'{"text": "added"}\n' * 400)
    changed = plan_shards([str(corpus)], load_sources(sources), first.to_dict()["spans"])
    assert len(changed.shards) > len(first.shards)


def _scan(corpus: Path, tmp: Path, name: str, **kwargs: Any) -> dict[str, Any]:
    sources = tmp / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    keywords = write_library(tmp / "keywords.csv")
    return assess([str(corpus)], sources=sources, keywords=keywords, out=tmp / name, **kwargs)


def test_a_cut_file_scans_to_the_same_counts_with_any_workers_and_resumes_by_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, _, _ = _big_file(tmp_path, _lines(1500, seed=9))
    whole = _scan(corpus, tmp_path, "whole", sample_rate=1.0)
    assert whole["corpus"]["shards"] == 1
    monkeypatch.setattr(plan_module, "PART_BYTES", 16384)
    one = _scan(corpus, tmp_path, "one", sample_rate=1.0)
    two = _scan(corpus, tmp_path, "two", sample_rate=1.0, workers=2)
    assert one["corpus"]["shards"] > 4 and one == two
    # at rate 1 every item is checked, so the counts are the whole file's whatever the cutting
    for key in ("items", "chars", "files", "bytes"):
        assert one["corpus"][key] == whole["corpus"][key]
    assert one["technical"]["flagged"] == whole["technical"]["flagged"]
    assert one["problems"]["corrupt"] == whole["problems"]["corrupt"]
    assert [s["flagged"] for s in one["sources"]] == [s["flagged"] for s in whole["sources"]]
    # the manual sample fetches its texts from the parts
    drawn = draw_manual_sample(RunDir(tmp_path / "one"), 20)
    assert len(drawn) == 20 and all(d["text"] for d in drawn)
    # interrupted after two parts, a rerun scans only the rest and ends where an uninterrupted run does
    seen: list[str] = []

    def stop_after_two(shard: Any, _: object) -> None:
        seen.append(shard.name)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _scan(corpus, tmp_path, "resumed", sample_rate=1.0, on_shard=stop_after_two)
    rest: list[str] = []
    resumed = _scan(corpus, tmp_path, "resumed", sample_rate=1.0, on_shard=lambda s, _: rest.append(s.name))
    assert len(rest) == one["corpus"]["shards"] - 2 and not set(rest) & set(seen)
    assert resumed == one


def test_corrupt_line_in_a_later_part_keeps_its_file_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    corpus, _, _ = _big_file(tmp_path, _lines(600, seed=2))
    report = _scan(corpus, tmp_path, "run")
    [problem] = report["problems"]["corrupt"]["examples"]
    assert problem["path"] == "big.jsonl" and problem["line"] == 301
    assert report["problems"]["corrupt"]["count"] == 1


def test_only_a_file_that_holds_up_the_others_is_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cutting costs a read of the file: among many similar files none is cut (they keep the workers busy as
    they are); a file holding more than 1/CUT_SHARE of the corpus is."""
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = _lines(120)
    for i in range(plan_module.CUT_SHARE + 1):
        (corpus / f"f{i:02}.jsonl").write_bytes(b"".join(lines))
    sources = tmp_path / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    assert all(s.span is None for s in _plan(corpus, sources).shards)
    (corpus / "big.jsonl").write_bytes(b"".join(lines * 3))
    cut = [s for s in _plan(corpus, sources).shards if s.span is not None]
    assert cut and {s.files[0].relpath for s in cut} == {"big.jsonl"}


def test_a_file_that_cannot_be_read_while_planning_is_left_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan, not the plan, reports an unreadable file (with its reason), as for any other file."""
    monkeypatch.setattr(plan_module, "PART_BYTES", 4096)
    corpus, sources, _ = _big_file(tmp_path, _lines(300))

    def unreadable(path: str, start: int, end: int) -> tuple[int, int | None]:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(plan_module, "_range_breaks", unreadable)
    [shard] = _plan(corpus, sources).shards
    assert shard.span is None
