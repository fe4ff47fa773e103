"""``--judge``: judges of the evaluation harness check the sampled items too (offline judges here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.corpus.conftest import write_jsonl, write_library

from aibeian.cli.main import cli
from aibeian.corpus import assess


def test_a_judge_flags_what_the_library_does_not(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(
        corpus / "news" / "a.jsonl",
        [{"text": f"第{i}条：天气晴朗。"} for i in range(20)] + [{"text": "第20条：有人兜售毒品。"}],
    )
    sources = tmp_path / "s.yaml"
    sources.write_text("sources:\n  - id: news\n    paths: [news]\n", encoding="utf-8")
    library = write_library(tmp_path / "k.csv", {"网络赌博": "A.1.8"})
    judge_library = write_library(tmp_path / "judge.csv", {"毒品": "A.1.8"})
    plain = assess([str(corpus)], sources=sources, keywords=library, out=tmp_path / "plain", sample_rate=1.0)
    judged = assess(
        [str(corpus)],
        sources=sources,
        keywords=library,
        out=tmp_path / "judged",
        sample_rate=1.0,
        judges=[f"keywords:{judge_library}"],
    )
    assert plain["technical"]["flagged"] == 0
    assert judged["technical"]["flagged"] == 1 and judged["technical"]["judge_flagged"] == 1
    [example] = judged["flagged_examples"]
    assert example["id"] == "news/a.jsonl:21" and example["judges"][0]["safe"] is False
    assert judged["run"]["judges"] == [f"keywords:{judge_library}"]


@pytest.mark.parametrize("judge", ["llm", "no-such-judge"])
def test_a_judge_that_cannot_run_stops_the_scan_before_any_shard(
    judge: str, make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    paths = make_corpus(news=5, forum=5, parquet=5, books=1)
    result = CliRunner().invoke(
        cli,
        [
            "corpus",
            "scan",
            str(paths["corpus"]),
            "--sources",
            str(paths["sources"]),
            "--keywords",
            str(paths["keywords"]),
            "--out",
            str(tmp_path / "r"),
            "--judge",
            judge,
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 2
    assert ("--judge-url" in result.output) if judge == "llm" else ("unknown judge" in result.output)
    assert not (tmp_path / "r" / "shards").exists()
