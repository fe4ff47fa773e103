"""The one entry point the CLI, the web workbench and scripts share: check the inputs, scan, assess."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aibeian.corpus._assess import assess_run, thresholds
from aibeian.corpus._plan import Shard
from aibeian.corpus._run import ScanProgress, scan
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._shard import use_matcher
from aibeian.corpus._sources import load_sources
from aibeian.errors import InputError

__all__ = ["assess", "prepare_settings"]


def prepare_settings(
    *,
    sources: str | os.PathLike[str],
    keywords: str | os.PathLike[str],
    out: str | os.PathLike[str],
    sample_rate: float = 0.1,
    seed: int = 0,
    judges: Sequence[str] = (),
    manual_reserve: int | None = None,
    judge_url: str | None = None,
    judge_model: str | None = None,
    judge_api_key_env: str | None = None,
) -> ScanSettings:
    """Load and check every input that can be checked before scanning; compile the library once into the
    run's cache so each worker only loads it."""
    from aibeian.keywords import Library, Matcher
    from aibeian.keywords._compiled import keep_table, seed_table

    limits = thresholds()
    minimum = float(limits["corpus_technical_sample_min_fraction"])
    if not minimum <= sample_rate <= 1:
        raise InputError(
            f"sample rate {sample_rate:g} is below the standard's minimum technical sample"
            if sample_rate < minimum
            else f"sample rate {sample_rate:g} is above 1",
            field="--sample-rate",
            expected=f"a fraction from {minimum:g} to 1",
        )
    config = load_sources(sources)
    cache = Path(out) / ".cache"
    seed_table(cache)  # a rerun or resume skips building the normalisation table
    library = Library.load(keywords)
    if not len(library):
        raise InputError("the keyword library has no keywords", path=str(keywords))
    cache.mkdir(parents=True, exist_ok=True)
    matcher = Matcher.compile(library, cache_dir=cache)
    keep_table(cache)  # worker processes seed theirs from it
    reserve = (
        manual_reserve if manual_reserve is not None else 2 * int(limits["corpus_manual_sample_min_items"])
    )
    settings = ScanSettings(
        sources=config,
        library_path=str(Path(keywords).resolve()),
        library_hash=library.content_hash,
        library_size=len(library),
        sample_rate=sample_rate,
        seed=seed,
        judges=tuple(judges),
        manual_reserve=reserve,
        cache_dir=str(cache.resolve()),
        judge_url=judge_url,
        judge_model=judge_model,
        judge_api_key_env=judge_api_key_env,
    )
    use_matcher(settings.library_hash, matcher)  # the in-process engine reuses it as is
    return settings


def assess(
    corpus: Sequence[str],
    *,
    sources: str | os.PathLike[str],
    keywords: str | os.PathLike[str],
    out: str | os.PathLike[str],
    engine: str = "local",
    workers: int | None = 1,
    ray_address: str | None = None,
    sample_rate: float = 0.1,
    seed: int = 0,
    judges: Sequence[str] = (),
    manual_reserve: int | None = None,
    judge_url: str | None = None,
    judge_model: str | None = None,
    judge_api_key_env: str | None = None,
    on_start: Callable[[ScanProgress], None] | None = None,
    on_shard: Callable[[Shard, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Scan (or resume) ``corpus`` into ``out`` and return the assessment (the JSON report's data)."""
    from aibeian.corpus._judging import check_judges
    from aibeian.corpus.engines import EngineOptions, get_engine

    runner = get_engine(engine, EngineOptions(workers=workers, ray_address=ray_address))
    settings = prepare_settings(
        sources=sources,
        keywords=keywords,
        out=out,
        sample_rate=sample_rate,
        seed=seed,
        judges=judges,
        manual_reserve=manual_reserve,
        judge_url=judge_url,
        judge_model=judge_model,
        judge_api_key_env=judge_api_key_env,
    )
    described = check_judges(settings) if settings.judges else []
    extra = {
        "library": {
            "path": settings.library_path,
            "hash": settings.library_hash,
            "keywords": settings.library_size,
        },
        "sources_file": str(Path(sources).resolve()),
        "engine": runner.describe(),
        "judges": described,
    }
    scan(list(corpus), settings, out, engine=runner, extra_meta=extra, on_start=on_start, on_shard=on_shard)
    return assess_run(str(out))
