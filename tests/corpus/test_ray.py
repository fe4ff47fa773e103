"""The Ray engine on a real local Ray instance (2 CPUs) gives exactly the local engine's report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from aibeian.corpus import assess
from aibeian.corpus.engines import EngineOptions, get_engine
from aibeian.errors import MissingDependencyError


@pytest.mark.ray
def test_ray_and_local_reports_are_identical(
    make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    pytest.importorskip("ray")
    paths = make_corpus()
    kwargs = {"sources": paths["sources"], "keywords": paths["keywords"], "sample_rate": 0.15, "seed": 11}
    local = assess([str(paths["corpus"])], out=tmp_path / "local", workers=1, **kwargs)
    ray = assess([str(paths["corpus"])], out=tmp_path / "ray", engine="ray", workers=2, **kwargs)
    assert ray == local
    assert ray["technical"]["sampled"] > 0 and ray["technical"]["flagged"] > 0
    for name in ("local", "ray"):
        assert len(list((tmp_path / name / "shards").glob("*.done"))) == local["corpus"]["shards"]


def test_missing_ray_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, make_corpus: Callable[..., dict[str, Path]], tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    paths = make_corpus(news=5, forum=5, parquet=5, books=1)
    engine = get_engine("ray", EngineOptions(workers=2))
    with pytest.raises(MissingDependencyError, match=r'pip install "aibeian\[ray\]"'):
        assess(
            [str(paths["corpus"])],
            sources=paths["sources"],
            keywords=paths["keywords"],
            out=tmp_path / "r",
            engine="ray",
        )
    assert engine.describe()["engine"] == "ray"
