"""Matching a batch of texts joined by line breaks gives every item exactly the matches it gets alone, and
the whole block-wise shard function gives exactly the result of a plain item-by-item implementation."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.corpus.conftest import write_jsonl, write_library, write_parquet

from aibeian.corpus import Item, item_hashes, iter_items, plan_shards, prepare_settings, scan_shard
from aibeian.corpus import _batch_check as batch_module
from aibeian.corpus import _blocks as blocks_module
from aibeian.corpus import _shard as shard_module
from aibeian.corpus._batch_check import BatchChecker
from aibeian.corpus._blocks import decoded
from aibeian.corpus._sampling import SmallestK, technical_count
from aibeian.corpus._sources import UNASSIGNED
from aibeian.keywords import Library, Matcher

# Keyword halves at item edges, pinyin and Latin next to Latin, noise and variants at the edges.
TRAPS = [
    "有人在网络",
    "赌博",
    "网络赌博就在这里",
    "wangluo",
    "dubo",
    "abc wangluodu",
    "bo xyz",
    "网络*",
    "*赌博",
    "网 络 赌",
    " 博",
    "網絡賭博",
    "",
    "\n",
    "电信\n诈骗",
    "电信诈骗\r\n",
    "ＷＡＮＧＬＵＯＤＵＢＯ",
    "制作炸弹。地域黑",
    "地域",
    "黑",
]
FRAGMENTS = [
    "网络",
    "赌博",
    "wang",
    "luo",
    "du",
    "bo",
    "电信",
    "诈骗",
    " ",
    "*",
    "\n",
    "a",
    "網",
    "。",
    "地域黑",
]


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Matcher:
    path = write_library(tmp_path_factory.mktemp("lib") / "k.csv")
    return Matcher.compile(Library.load(path))


def _alone(matcher: Matcher, texts: list[str]) -> list[tuple[int, list[str], list[dict[str, Any]]]]:
    out = []
    for text in texts:
        found = matcher.find(text)
        evidence = [
            {"start": m.start, "end": m.end, "text": m.text, "keyword": m.keyword, "risk": m.risk}
            for m in found[:3]
        ]
        out.append((len(found), sorted({m.risk for m in found}), evidence))
    return out


def _batched(
    matcher: Matcher, texts: list[str], arrow: bool
) -> list[tuple[int, list[str], list[dict[str, Any]]]]:
    """The batch checker's outcome, texts read from Arrow (as blocks are) or from Python strings."""
    import pyarrow as pa

    checker = BatchChecker(matcher, evidence_per_item=3, examples=10**6)
    keys = [f"k{i}" for i in range(len(texts))]
    if arrow:
        joined, lengths = decoded(pa.array(texts, pa.string()))
    else:
        joined, lengths = "\n".join(texts), np.array([len(t) for t in texts], dtype=np.int64)
    tech = np.arange(len(texts), dtype=np.uint64)
    checker.add(joined, lengths, tech, keys, np.zeros(len(texts), dtype=np.int64))
    checker.flush()
    checked = checker.checked()
    return [
        (
            int(checked.count[i]),
            [checked.risk_names[j] for j in np.flatnonzero(checked.risks[i])],
            checked.evidence.get(keys[i], []),
        )
        for i in range(len(texts))
    ]


@pytest.mark.parametrize("arrow", [True, False])
def test_a_batch_gives_each_item_its_own_matches(matcher: Matcher, arrow: bool) -> None:
    expected = _alone(matcher, TRAPS)
    assert _batched(matcher, TRAPS, arrow) == expected
    assert sum(n for n, _, _ in expected) > 5  # the traps do contain matches
    assert expected[0][0] == 0 and expected[1][0] == 0  # and a keyword split over two items is none


def test_a_batch_with_a_huge_item_is_matched_item_by_item(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_module, "SINGLE_CALL_CHARS", 10)
    assert _batched(matcher, TRAPS, arrow=True) == _alone(matcher, TRAPS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), max_size=8).map("".join), min_size=1, max_size=12))
def test_random_batches_match_item_by_item(matcher: Matcher, texts: list[str]) -> None:
    assert _batched(matcher, texts, arrow=True) == _alone(matcher, texts)


def _reference_shard(shard: Any, settings: Any, matcher: Matcher) -> dict[str, Any]:
    """The shard result computed the plain way: one item, one hash, one ``find`` at a time."""
    limit = int(min(1.0, settings.sample_rate * 1.05 + 0.005) * 2.0**64)  # as the first pass's
    counts: dict[str, list[int]] = {}
    reserve: dict[str, SmallestK] = {}
    corrupt: list[dict[str, object]] = []
    unassigned: list[dict[str, object]] = []
    checked = []
    n = corrupt_count = 0
    items: list[tuple[str, str, str]] = []
    for f in shard.files:
        kwargs = {
            "row_group": shard.row_group,
            "span": shard.span,
            "source_field": settings.sources.source_field,
        }
        for item in iter_items(Path(f.path), f.relpath, **kwargs):
            if not isinstance(item, Item):
                corrupt_count += 1
                corrupt += [item.to_dict()] if len(corrupt) < settings.problems_per_shard else []
                continue
            n += 1
            by_value = settings.sources.by_value(item.source_value)
            source = by_value or f.source or UNASSIGNED
            c = counts.setdefault(source, [0, 0])
            reserve.setdefault(source, SmallestK(settings.manual_reserve))
            c[0] += 1
            c[1] += len(item.text)
            if source == UNASSIGNED and len(unassigned) < settings.problems_per_shard:
                value = item.source_value
                unassigned.append({"id": item.key, "value": None if value is None else str(value)})
            tech, manual = item_hashes(settings.seed, item.key)
            reserve[source].add(manual, item.key)
            items.append((item.key, source, item.text))
            if tech < limit:
                checked.append((tech, item.key, source, item.text))
    k = technical_count(n, settings.sample_rate)
    if len(checked) < k:
        taken = {key for _, key, _, _ in checked}
        rest = sorted(
            (item_hashes(settings.seed, key)[0], key, s, t) for key, s, t in items if key not in taken
        )
        checked += rest[: k - len(checked)]
    selected = sorted(checked)[:k]
    sources = {
        s: {"items": c[0], "chars": c[1], "sampled": 0, "sampled_chars": 0, "flagged": 0, "matched": 0}
        | {"judge_flagged": 0, "judge_errors": 0, "risks": {}}
        for s, c in counts.items()
    }
    flagged = []
    for tech, key, source, text in selected:
        found = matcher.find(text)
        s = sources[source]
        s["sampled"] += 1
        s["sampled_chars"] += len(text)
        if found:
            s["matched"] += 1
            s["flagged"] += 1
            risks = sorted({m.risk for m in found})
            for risk in risks:
                s["risks"][risk] = s["risks"].get(risk, 0) + 1
            flagged.append(
                {
                    "id": key,
                    "sample_hash": tech,
                    "source": source,
                    "match_count": len(found),
                    "matches": [
                        {"start": m.start, "end": m.end, "text": m.text, "keyword": m.keyword, "risk": m.risk}
                        for m in found[: settings.evidence_per_item]
                    ],
                    "risks": risks,
                    "judges": [],
                }
            )
    digest = hashlib.sha256("\n".join(sorted(key for _, key, _, _ in selected)).encode()).hexdigest()
    return {
        "shard": shard.name,
        "fingerprint": shard.fingerprint,
        "settings": settings.key,
        "files": [f.relpath for f in shard.files],
        "paths": [f.path for f in shard.files],
        "row_group": shard.row_group,
        "span": None if shard.span is None else shard.span.to_list(),
        "bytes": shard.size,
        "items": n,
        "sampled": len(selected),
        "sources": sources,
        "corrupt": {"count": corrupt_count, "examples": corrupt},
        "unassigned_examples": unassigned,
        "flagged": flagged[: settings.flagged_per_shard],
        "sample_digest": digest,
        "manual_reserve": {
            s: {"hashes": [h for h, _ in r.items()], "keys": [key for _, key in r.items()]}
            for s, r in sorted(reserve.items())
        },
    }


SOURCES_BY_FIELD = """\
source_field: src
sources:
  - id: news
    paths: ["news/**"]
  - id: forum
    values: ["forum"]
"""


@pytest.mark.parametrize(
    ("rate", "seed", "second_pass"), [(1.0, 0, False), (0.1, 3, False), (0.37, 9, False), (0.2, 4, True)]
)
def test_the_shard_function_gives_the_item_by_item_result(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    matcher: Matcher,
    rate: float,
    seed: int,
    second_pass: bool,
) -> None:
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", 2048)  # many blocks and batches per shard
    monkeypatch.setattr(batch_module, "BATCH_CHARS", 700)
    if second_pass:  # a first pass that takes too few items, so every shard needs the second
        monkeypatch.setattr(shard_module, "_candidate_limit", lambda r: int(r * 0.5 * 2.0**64))
    corpus = tmp_path / "corpus"
    texts = [TRAPS[i % len(TRAPS)] + TRAPS[(i * 7) % len(TRAPS)] + f"（第{i}条）" for i in range(900)]
    rows: list[dict[str, object]] = [
        {"text": t, "src": "forum" if i % 3 == 0 else ("nowhere" if i % 3 == 1 else None)}
        for i, t in enumerate(texts)
    ]
    rows[17] = {"text": 5}
    rows[40] = {"nottext": "x"}
    write_jsonl(corpus / "news" / "a.jsonl", rows)
    write_jsonl(corpus / "news" / "b.jsonl.gz", rows[:300], compress="gzip")
    (corpus / "news" / "c.jsonl").write_bytes(b'{"text": "ok"}\nnot json\n\n{"text": "\xff"}\n')
    write_parquet(corpus / "news" / "d.parquet", [r for r in rows if isinstance(r.get("text"), str)], 250)
    (corpus / "other.txt").write_text("网络赌博\n" * 5, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(SOURCES_BY_FIELD, encoding="utf-8")
    settings_ = prepare_settings(
        sources=tmp_path / "s.yaml",
        keywords=write_library(tmp_path / "k.csv"),
        out=tmp_path / "run",
        sample_rate=rate,
        seed=seed,
        manual_reserve=50,
    )
    plan = plan_shards([str(corpus)], settings_.sources)
    assert len(plan.shards) >= 5
    for shard in plan.shards:
        got = json.dumps(scan_shard(shard, settings_), sort_keys=True, ensure_ascii=False)
        want = json.dumps(_reference_shard(shard, settings_, matcher), sort_keys=True, ensure_ascii=False)
        assert got == want, shard.name
        result = json.loads(got)
        assert result["sampled"] == math.ceil(rate * result["items"] - 1e-9) or result["items"] == 0


def test_small_evidence_pool_keeps_the_reported_examples(
    tmp_path: Path, make_corpus: Callable[..., dict[str, Path]], matcher: Matcher
) -> None:
    """Evidence is built only for items that can still be reported; with few example slots the reported
    examples are still exactly the first flagged items in sample order, with their evidence."""
    paths = make_corpus(news=600, forum=10, parquet=10, books=1)
    settings_ = prepare_settings(
        sources=paths["sources"], keywords=paths["keywords"], out=tmp_path / "run", sample_rate=1.0
    )
    from dataclasses import replace

    settings_ = replace(settings_, flagged_per_shard=5)
    for shard in plan_shards([str(paths["corpus"])], settings_.sources).shards:
        assert scan_shard(shard, settings_) == _reference_shard(shard, settings_, matcher)
