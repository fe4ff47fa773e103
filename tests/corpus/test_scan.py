"""End-to-end scans checked against counts and flags we can compute independently from the files."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.corpus.conftest import KEYWORDS

from aibeian.corpus import RunDir, assess, assess_run, draw_manual_sample, iter_items
from aibeian.corpus._readers import Item
from aibeian.errors import InputError


def _all_items(corpus: Path) -> dict[str, str]:
    found = {}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus).as_posix()
        for item in iter_items(path, rel):
            assert isinstance(item, Item)
            found[item.key] = item.text
    return found


def _shard_results(out: Path) -> list[dict[str, object]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "shards").glob("*.json"))]


def test_counts_sample_and_flags_are_exact(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus()
    out = tmp_path / "run"
    report = assess(
        [str(paths["corpus"])],
        sources=paths["sources"],
        keywords=paths["keywords"],
        out=out,
        sample_rate=0.2,
        seed=5,
    )
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
    assess([str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out, seed=1)
    with pytest.raises(InputError, match="other settings"):
        assess([str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out, seed=2)


def test_report_is_regenerated_from_the_run_directory_alone(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=30, forum=30, parquet=30, books=1)
    out = tmp_path / "run"
    report = assess([str(paths["corpus"])], sources=paths["sources"], keywords=paths["keywords"], out=out)
    paths["sources"].unlink()
    paths["keywords"].unlink()
    assert assess_run(str(out)) == report
    assert RunDir(out).meta()["status"] == "complete"
