"""End-to-end scans checked against counts and flags we can compute independently from the files."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.corpus.conftest import KEYWORDS

from aibeian.corpus import RunDir, assess, assess_run, draw_manual_sample, iter_items, plan_shards
from aibeian.corpus._readers import Item, Span
from aibeian.corpus._sources import load_sources
from aibeian.errors import InputError


def _all_items(corpus: Path) -> dict[str, str]:
    found = {}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus).as_posix()
        for item in iter_items(path, rel):
            assert isinstance(item, Item)
            found[item.key] = item.text
    return found


def _scan(paths: dict[str, Path], out: Path, **kwargs: Any) -> dict[str, Any]:
    """``assess`` of a ``make_corpus`` corpus into ``out``."""
    return assess(
        [str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out, **kwargs
    )


def _shard_results(out: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "shards").glob("*.json"))]


def test_counts_sample_and_flags_are_exact(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus()
    out = tmp_path / "run"
    report = _scan(paths, out, sample_rate=0.2, seed=5)
    items = _all_items(paths["corpus"])
    assert report["corpus"]["items"] == len(items) == 300 + 150 + 200 + 250 + 5
    assert report["corpus"]["chars"] == sum(len(t) for t in items.values())
    by_source = {s["id"]: s for s in report["sources"]}
    assert (
        by_source["news"]["items"] == 450
        and by_source["forum"]["items"] == 450
        and by_source["books"]["items"] == 5
    )
    # every shard samples ceil(rate * n) items, so the corpus is sampled at no less than the rate
    for result in _shard_results(out):
        assert result["sampled"] == math.ceil(0.2 * result["items"] - 1e-9)
    assert report["technical"]["fraction"] >= 0.2
    assert (
        report["corpus"]["shards"] == 2 + 1 + 3 + 1
    )  # news: 2 files; forum: gz + 3 row groups; books: 1 batch
    # flagged = sampled items containing a keyword; check against a plain substring search
    flagged_ids = {f["id"] for f in report["flagged_examples"]}
    assert report["technical"]["flagged"] == sum(s["flagged"] for s in report["sources"])
    for fid in flagged_ids:
        assert any(k in items[fid] for k in KEYWORDS)
    assert report["technical"]["flagged"] > 0
    assert report["conclusion"]["status"] == "fail"
    assert "source_over_limit" in report["conclusion"]["failing"]


def test_sample_is_seeded_and_independent_of_workers(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus()
    reports = []
    for name, workers, seed in (("one", 1, 3), ("two", 2, 3), ("other-seed", 1, 4)):
        reports.append(
            assess(
                [str(paths["corpus"])],
                sources=paths["sources"],
                keywords=paths["keywords"],
                out=tmp_path / name,
                workers=workers,
                seed=seed,
            )
        )
    one, two, other = reports
    assert one["technical"]["sample_digest"] == two["technical"]["sample_digest"]
    assert one == two
    # pool workers store their own results (and manual-sample reserves): the manual sample is the same too
    assert draw_manual_sample(RunDir(tmp_path / "one"), 7) == draw_manual_sample(RunDir(tmp_path / "two"), 7)
    assert list((tmp_path / "two" / "shards").glob("*.reserve.npz"))
    assert other["technical"]["sample_digest"] != one["technical"]["sample_digest"]


def test_resume_skips_completed_shards_and_rescans_changed_files(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus()
    out = tmp_path / "run"
    kwargs = {"sources": paths["sources"], "keywords": paths["keywords"], "out": out}
    first = assess([str(paths["corpus"])], **kwargs)
    seen: list[str] = []
    again = assess([str(paths["corpus"])], on_shard=lambda shard, _: seen.append(shard.name), **kwargs)
    assert seen == [] and again == first
    # a finished scan rerun with a pool of workers has nothing to start them for
    assert assess([str(paths["corpus"])], workers=2, **kwargs) == first
    # a changed file (a user fixed a line) is rescanned; nothing else is
    news = paths["corpus"] / "news" / "a.jsonl"
    news.write_text(
        news.read_text(encoding="utf-8") + json.dumps({"text": "新增一条"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    third = assess([str(paths["corpus"])], on_shard=lambda shard, _: seen.append(shard.name), **kwargs)
    assert len(seen) == 1 and seen[0].startswith("news_a.jsonl")
    assert third["corpus"]["items"] == first["corpus"]["items"] + 1


def test_other_settings_in_the_same_run_dir_are_refused(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=20, forum=20, parquet=20, books=1)
    out = tmp_path / "run"
    _scan(paths, out, seed=1)
    with pytest.raises(InputError, match="other settings"):
        _scan(paths, out, seed=2)


def test_report_is_regenerated_from_the_run_directory_alone(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=30, forum=30, parquet=30, books=1)
    out = tmp_path / "run"
    report = _scan(paths, out)
    paths["sources"].unlink()
    paths["keywords"].unlink()
    assert assess_run(str(out)) == report
    assert RunDir(out).meta()["status"] == "complete"


def test_a_shard_file_a_crash_left_short_is_redone_on_resume(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    """Shard files are not fsynced one by one; the marker records their sizes, so a file a crash cut short
    (or emptied) makes the resume redo that shard, and only that one."""
    paths = make_corpus(news=40, forum=40, parquet=40, books=1)
    out = tmp_path / "run"
    kwargs = {"sources": paths["sources"], "keywords": paths["keywords"], "out": out}
    first = assess([str(paths["corpus"])], **kwargs)
    shards = sorted((out / "shards").glob("*.json"))
    short_result = shards[0]
    short_result.write_bytes(short_result.read_bytes()[:-7])
    reserve = sorted((out / "shards").glob("*.reserve.npz"))[-1]
    reserve.write_bytes(b"")
    seen: list[str] = []
    again = assess([str(paths["corpus"])], on_shard=lambda shard, _: seen.append(shard.name), **kwargs)
    assert sorted(seen) == sorted({short_result.stem, reserve.name.removesuffix(".reserve.npz")})
    assert again == first
    assert draw_manual_sample(RunDir(out), 9) == draw_manual_sample(RunDir(out), 9)


def test_an_unreadable_result_of_the_same_size_is_reported_and_redone(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=40, forum=40, parquet=40, books=1)
    out = tmp_path / "run"
    kwargs = {"sources": paths["sources"], "keywords": paths["keywords"], "out": out}
    first = assess([str(paths["corpus"])], **kwargs)
    broken = sorted((out / "shards").glob("*.json"))[1]
    broken.write_bytes(b"\0" * broken.stat().st_size)
    with pytest.raises(InputError, match="cannot be read") as caught:
        assess_run(str(out))
    assert str(broken) in str(caught.value) and "rerun" in str(caught.value)
    assert not broken.with_suffix(".done").exists()
    seen: list[str] = []
    assert assess([str(paths["corpus"])], on_shard=lambda s, _: seen.append(s.name), **kwargs) == first
    assert seen == [broken.stem]
    # the same for a manual-sample reserve: `corpus sample` names it, and the rerun redoes its shard
    reserve = sorted((out / "shards").glob("*.reserve.npz"))[0]
    reserve.write_bytes(b"\0" * reserve.stat().st_size)
    with pytest.raises(InputError, match="reserve cannot be read") as caught:
        draw_manual_sample(RunDir(out), 9)
    assert str(reserve) in str(caught.value)
    owner = reserve.name.removesuffix(".reserve.npz")
    seen.clear()
    assert assess([str(paths["corpus"])], on_shard=lambda s, _: seen.append(s.name), **kwargs) == first
    assert seen == [owner] and len(draw_manual_sample(RunDir(out), 9)) == 9


def test_flagged_examples_are_the_smallest_sample_hashes_across_shards(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    """The report lists EXAMPLES flagged items drawn by sample hash over the whole corpus (each shard keeps
    only its own smallest), not the first ids: every source with flagged items can appear."""
    from aibeian.corpus._sampling import item_hashes
    from aibeian.corpus._settings import EXAMPLES

    paths = make_corpus()
    out = tmp_path / "run"
    report = _scan(paths, out, sample_rate=1.0, seed=2)
    items = _all_items(paths["corpus"])
    flagged = [key for key, text in items.items() if any(k in text for k in KEYWORDS)]
    assert len(flagged) > EXAMPLES
    expected = sorted(sorted(flagged, key=lambda key: (item_hashes(2, key)[0], key))[:EXAMPLES])
    shown = [f["id"] for f in report["flagged_examples"]]
    assert shown == expected
    assert len({f["source"] for f in report["flagged_examples"]}) > 1
    assert all("sample_hash" not in f for f in report["flagged_examples"])
    for result in _shard_results(out):
        assert len(result["flagged"]) <= EXAMPLES  # type: ignore[arg-type]


def test_without_workers_a_scan_starts_one_per_256_mb_up_to_the_cpu_count(
    monkeypatch: pytest.MonkeyPatch, make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    """A worker costs a moment to start: a small corpus is scanned in-process, a big one by a pool."""
    from aibeian.corpus.engines import EngineOptions, _local, get_engine
    from aibeian.corpus.engines._local import AUTO_BYTES_PER_WORKER, auto_workers

    paths = make_corpus(news=40, forum=40, parquet=40, books=1)
    shards = plan_shards([str(paths["corpus"])], load_sources(paths["sources"])).shards
    assert auto_workers(shards) == 1
    monkeypatch.setattr(_local.os, "cpu_count", lambda: 8)
    big = [replace(s, span=Span(0, AUTO_BYTES_PER_WORKER, 1)) for s in shards]
    assert auto_workers(big[:3]) == 3  # one per 256 MB
    assert auto_workers(big) == min(8, len(big))  # never more than the CPUs or the shards
    assert auto_workers([]) == 1
    engine = get_engine("local", EngineOptions(workers=None))
    assert engine.describe() == {"engine": "local", "workers": "auto"}
    report = _scan(paths, tmp_path / "r", workers=None)
    assert report["corpus"]["items"] > 0
    assert RunDir(tmp_path / "r").meta()["engine"]["workers"] == "auto"
