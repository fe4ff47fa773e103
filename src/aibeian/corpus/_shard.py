"""The shard function: read one shard, count, sample, check the sample, write the result and its marker.

It is pure in the sense that matters for a distributed scan: the result depends only on the shard's files
and the settings, never on the engine, the worker or what ran before, so a shard may be retried, resumed or
run anywhere. It works on blocks of items (``_blocks``) and keeps per-item state in numpy columns: items are
hashed, counted, sampled and handed to the matcher a block at a time (``_batch_check``), so the per-item
Python work that used to cost more than the matching itself is gone.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aibeian.corpus._batch_check import BatchChecker, Checked
from aibeian.corpus._blocks import Block, iter_blocks
from aibeian.corpus._plan import Shard
from aibeian.corpus._readers import Item, iter_items
from aibeian.corpus._reserve_file import reserve_size, store_reserve
from aibeian.corpus._sampling import (
    HASH_SPACE,
    SmallestKeys,
    below,
    item_hashes_array,
    order_by_hash,
    technical_count,
)
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._tally import Tally
from aibeian.files import atomic_write_bytes, atomic_write_text

__all__ = [
    "install_matcher",
    "marker_path",
    "matcher_for",
    "matcher_installed",
    "reserve_path",
    "result_path",
    "scan_shard",
    "shippable_matcher",
    "store_result",
    "use_matcher",
]

_MATCHERS: dict[str, Any] = {}  # per process: a compiled library, loaded once per worker


def result_path(run_dir: Path, shard: Shard) -> Path:
    return run_dir / "shards" / f"{shard.name}.json"


STORED = "stored"
"""Key of the small answer an engine's worker sends back once it has stored the shard's result itself."""


def reserve_path(run_dir: Path, shard: Shard) -> Path:
    return run_dir / "shards" / f"{shard.name}.reserve.npz"


def marker_path(run_dir: Path, shard: Shard | str) -> Path:
    """A shard's completion marker (``shard``: the shard, or its name)."""
    return run_dir / "shards" / f"{shard if isinstance(shard, str) else shard.name}.done"


def use_matcher(library_hash: str, matcher: Any) -> None:
    """Make ``matcher`` the one this process scans with (the driver's, for the in-process engine)."""
    _MATCHERS.clear()
    _MATCHERS[library_hash] = matcher


def matcher_installed(library_hash: str) -> bool:
    """Whether this process already holds the matcher of ``library_hash`` (an engine then ships nothing)."""
    return library_hash in _MATCHERS


def install_matcher(library_hash: str, shipped: bytes | str | None, cache_dir: str | None = None) -> None:
    """Give a worker the driver's compiled matcher (pickled by ``shippable_matcher``: the bytes, or the path
    of a file holding them), once per process, so no worker re-reads the library. The normalisation table is
    seeded from the run's cache first where the worker can see it: unpickling the matcher would otherwise
    rebuild it (≈0.1 s per worker). None (a matcher that cannot be shipped) leaves the worker to load it from
    the run's cache."""
    if shipped is None or library_hash in _MATCHERS:
        return
    import pickle

    from aibeian.keywords._compiled import seed_table

    if cache_dir is not None and os.path.isdir(cache_dir):
        seed_table(cache_dir)
    data = Path(shipped).read_bytes() if isinstance(shipped, str) else shipped
    use_matcher(library_hash, pickle.loads(data))


def shippable_matcher(settings: ScanSettings) -> bytes | None:
    """The compiled matcher pickled for worker processes, or None: an engine whose state lives in a C object
    that does not pickle is loaded by each worker from the cache instead."""
    import pickle

    try:
        return pickle.dumps(matcher_for(settings), protocol=pickle.HIGHEST_PROTOCOL)
    except (TypeError, pickle.PicklingError, AttributeError):
        return None


def matcher_for(settings: ScanSettings) -> Any:
    found = _MATCHERS.get(settings.library_hash)
    if found is None:  # importing the library loader pulls in the standards (pydantic): 0.1 s a worker
        from aibeian.keywords import Library, Matcher

        if settings.cache_dir is not None and os.path.isdir(settings.cache_dir):
            from aibeian.keywords._compiled import seed_table

            seed_table(settings.cache_dir)  # before the library's keywords are normalised with it
        library = Library.load(settings.library_path)
        found = Matcher.compile(library, cache_dir=settings.cache_dir)
        _MATCHERS.clear()
        _MATCHERS[settings.library_hash] = found
    return found


def _blocks(shard: Shard, settings: ScanSettings) -> Any:
    for f in shard.files:
        try:
            blocks = iter_blocks(
                Path(f.path),
                f.relpath,
                row_group=shard.row_group,
                span=shard.span,
                text_field=settings.sources.text_field,
                source_field=settings.sources.source_field,
                seed=settings.seed,
            )
            for block in blocks:
                yield f, block
        except OSError as exc:
            from aibeian.corpus._readers import Corrupt

            broken = Corrupt(f.relpath, None, f"cannot read the file: {exc.strerror or exc}")
            yield f, Block.of_problem(broken, settings.sources.source_field is not None)


def _candidate_limit(rate: float) -> int:
    """Items hashed below this are matched on the first pass: a little above the rate, so the ceil(rate·n)
    smallest are almost always among them and a second pass is rare (and then cheap: a small shard)."""
    return int(min(1.0, rate * 1.05 + 0.005) * HASH_SPACE)


def _check(
    checker: BatchChecker,
    block: Block,
    index: npt.NDArray[np.int64] | None,
    tech: npt.NDArray[np.uint64],
    source: npt.NDArray[np.int64],
) -> None:
    """Hand the block's items at ``index`` (all when None) to the checker."""
    if index is None:
        checker.add(block.text_of(), block.lengths, tech, block.keys, source)
    elif len(index):
        keys = [block.keys[i] for i in index.tolist()]
        checker.add(block.text_of(index), block.lengths[index], tech[index], keys, source[index])


def scan_shard(shard: Shard, settings: ScanSettings) -> dict[str, Any]:
    """Scan one shard and return its result (counts, sample outcome, manual-sample reserve)."""
    with _gc_paused():
        return _scan_shard(shard, settings)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a shard: the scan builds no reference cycles, but its
    allocations (line buffers, keys, result lists) trigger full collections that walk every object the
    compiled matcher holds; measured, that cost a fifth of a shard's time."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _scan_shard(shard: Shard, settings: ScanSettings) -> dict[str, Any]:
    limit = _candidate_limit(settings.sample_rate)
    tally = Tally(settings)
    checker = BatchChecker(matcher_for(settings), settings.evidence_per_item, settings.flagged_per_shard)
    for f, block in _blocks(shard, settings):
        tally.add_corrupt(block.corrupt)
        if not block.keys:
            continue
        source = tally.sources_of(f, block)
        tech, manual = _hashes(block, settings.seed)
        tally.add_items(block, source, manual)
        wanted = below(tech, limit)
        _check(checker, block, None if wanted.all() else np.flatnonzero(wanted), tech, source)
    checker.flush()
    k = technical_count(tally.n, settings.sample_rate)
    if len(checker.checked().keys) < k:
        _second_pass(shard, settings, tally, checker, limit, k - len(checker.checked().keys))
    checked = checker.checked()
    selected = order_by_hash(checked.tech, checked.keys)[:k]
    judges = _judge(shard, settings, checked, selected) if settings.judges and len(selected) else None
    result = {
        "shard": shard.name,
        "fingerprint": shard.fingerprint,
        "settings": settings.key,
        "files": [f.relpath for f in shard.files],
        "paths": [f.path for f in shard.files],
        "row_group": shard.row_group,
        "span": None if shard.span is None else shard.span.to_list(),
        "bytes": shard.size,
        "items": tally.n,
        "sampled": len(selected),
        **tally.outcome(checked, selected, judges),
        "sample_digest": _digest(sorted(checked.keys[i] for i in selected.tolist())),
        "manual_reserve": tally.reserve(),
    }
    return result


def _judge(
    shard: Shard, settings: ScanSettings, checked: Checked, selected: npt.NDArray[np.int64]
) -> list[list[dict[str, Any]]]:
    """Each selected item's judge verdicts (judges see the item's text, re-read from the shard)."""
    from aibeian.corpus._judging import judge_selected

    wanted = {checked.keys[i] for i in selected.tolist()}
    items = (
        (item.key, item.text)
        for f in shard.files
        for item in iter_items(
            Path(f.path),
            f.relpath,
            row_group=shard.row_group,
            span=shard.span,
            text_field=settings.sources.text_field,
            source_field=settings.sources.source_field,
        )
        if isinstance(item, Item) and item.key in wanted
    )
    verdicts = judge_selected(settings, items)
    return [verdicts.get(checked.keys[i], []) for i in selected.tolist()]


def store_result(run_dir: str | os.PathLike[str], shard: Shard, result: dict[str, Any]) -> None:
    """Write a shard's result (its manual-sample reserve as a binary sidecar), then its completion marker,
    each atomically: a marker never exists without its result, and it records the files' sizes, so a resume
    after a crash redoes a shard whose files the crash left short (``RunDir.is_complete``). Nothing is
    fsynced here — three fsyncs were a fifth of a shard's time; the scan syncs once when it completes."""
    run = Path(run_dir)
    (run / "shards").mkdir(parents=True, exist_ok=True)
    stored = store_reserve(result, reserve_path(run, shard))
    data = json.dumps(stored, ensure_ascii=False, sort_keys=True).encode("utf-8")
    atomic_write_bytes(result_path(run, shard), data, durable=False)
    marker = {
        "fingerprint": result["fingerprint"],
        "settings": result["settings"],
        "sizes": {"result": len(data), "reserve": reserve_size(stored)},
    }
    atomic_write_text(marker_path(run, shard), json.dumps(marker), durable=False)


def _second_pass(
    shard: Shard, settings: ScanSettings, tally: Tally, checker: BatchChecker, limit: int, need: int
) -> None:
    """Check the ``need`` smallest-hash items above the first-pass limit: a rare re-read of a small shard."""
    extra = SmallestKeys(need)
    for _f, block in _blocks(shard, settings):
        if block.keys:
            tech, _ = _hashes(block, settings.seed)
            above = np.flatnonzero(~below(tech, limit))
            extra.add(tech[above], [block.keys[i] for i in above.tolist()])
    wanted = {key for _, key in extra.items()}
    for f, block in _blocks(shard, settings):
        index = np.array([i for i, key in enumerate(block.keys) if key in wanted], dtype=np.int64)
        if len(index):
            tech, _ = _hashes(block, settings.seed)
            source = tally.sources_of(f, block)
            _check(checker, block, index, tech, source)
    checker.flush()


def _hashes(block: Block, seed: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    """The block's (technical, manual) item hashes: as its reader computed them, or now."""
    if block.hashes is not None and block.seed == seed:
        return block.hashes
    return item_hashes_array(seed, block.keys)


def _digest(keys: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(keys).encode()).hexdigest()
