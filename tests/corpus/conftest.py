"""Corpora built in tmp_path with known contents, so every count and flag in a report can be checked exactly."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

KEYWORDS = {"网络赌博": "A.1.8", "电信诈骗": "A.1.8", "制作炸弹": "A.1.4", "地域黑": "A.2.4"}
CLEAN = [
    "城市地铁新线路今日开通，市民出行更加便利。",
    "图书馆推出夜间阅读服务。",
    "气象台发布寒潮预警，提醒市民注意保暖。",
    "新能源汽车销量持续上升。",
    "社区医院开展义诊活动。",
    "高校毕业生就业服务月启动。",
]
BAD = [
    "有人在群里拉人参与网络赌博。",
    "警惕电信诈骗分子冒充客服。",
    "论坛里有人教人制作炸弹。",
    "这种地域黑言论不可取。",
]


def write_library(path: Path, keywords: dict[str, str] = KEYWORDS) -> Path:
    path.write_text("keyword,risk\n" + "".join(f"{k},{r}\n" for k, r in keywords.items()), encoding="utf-8")
    return path


def texts(n: int, bad_every: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [
        (rng.choice(BAD) if bad_every and i % bad_every == 0 else "") + rng.choice(CLEAN) + f"（第{i}条）"
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, object]], *, compress: str | None = None) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress == "gzip":
        data = gzip.compress(data)
    elif compress == "zstd":
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def write_parquet(path: Path, rows: list[dict[str, object]], row_group_size: int) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


SOURCES_YAML = """\
text_field: text
sources:
  - id: news
    name: 新闻
    paths: ["news/**"]
    licence: own
    provenance: newsroom 2024
  - id: forum
    name: 论坛
    paths: ["forum/**"]
    licence: user agreement
  - id: books
    name: 图书
    paths: ["books/**"]
    licence: public domain
"""


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[..., dict[str, Path]]:
    """A three-source corpus: JSONL (plain + zstd), gzip JSONL, Parquet with row groups, and .txt files."""

    def make(
        root: Path | None = None, *, news: int = 300, forum: int = 200, parquet: int = 250, books: int = 5
    ) -> dict[str, Path]:
        base = root or tmp_path / "corpus"
        write_jsonl(base / "news" / "a.jsonl", [{"text": t} for t in texts(news, 7, 1)])
        write_jsonl(
            base / "news" / "b.jsonl.zst", [{"text": t} for t in texts(news // 2, 0, 2)], compress="zstd"
        )
        write_jsonl(
            base / "forum" / "posts.jsonl.gz", [{"text": t} for t in texts(forum, 3, 3)], compress="gzip"
        )
        write_parquet(
            base / "forum" / "more.parquet",
            [{"text": t, "n": i} for i, t in enumerate(texts(parquet, 5, 4))],
            row_group_size=100,
        )
        for i in range(books):
            (base / "books").mkdir(parents=True, exist_ok=True)
            (base / "books" / f"ch{i}.txt").write_text("\n".join(texts(3, 0, 10 + i)), encoding="utf-8")
        sources = tmp_path / "sources.yaml"
        sources.write_text(SOURCES_YAML, encoding="utf-8")
        return {"corpus": base, "sources": sources, "keywords": write_library(tmp_path / "keywords.csv")}

    return make
