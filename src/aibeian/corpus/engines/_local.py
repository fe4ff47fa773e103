"""The local engine: the shard function in this process (1 worker) or in a pool of processes.

Processes, not threads: the matcher and JSON decoding hold the GIL. Workers are started with ``spawn`` so a
scan behaves the same on every platform and never inherits the driver's threads (the progress bar). Largest
shards go first so the last worker is not left alone with the biggest file. Pool workers share the driver's
disk, so each writes its own shard's result and marker (``stores_results``): measured, storing ~116 results of
a 1 GB scan in the driver took 1.4 s of a 2.7 s run with two workers, the driver competing with them for the
cores, and kept a second worker from speeding the scan up.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any

from aibeian.corpus._plan import Shard
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._shard import STORED, install_matcher, scan_shard, shippable_matcher, store_result
from aibeian.corpus.engines._base import EngineOptions, ShardDone, engines
from aibeian.errors import AibeianError, EngineError
from aibeian.files import atomic_write_bytes


class LocalEngine:
    name = "local"
    stores_results = True
    """``run`` takes ``run_dir``; a pool worker stores its shard's result and reports ``STORED``."""

    def __init__(self, options: EngineOptions) -> None:
        self.workers = None if options.workers is None else max(1, options.workers)

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "workers": self.workers if self.workers is not None else "auto"}

    def run(
        self, shards: Sequence[Shard], settings: ScanSettings, done: ShardDone, run_dir: str | None = None
    ) -> None:
        order = sorted(shards, key=lambda s: (-s.size, s.name))
        workers = self.workers if self.workers is not None else auto_workers(order)
        if workers == 1 or len(order) <= 1:  # nothing left to do (a finished scan rerun), or one shard
            for shard in order:
                done(shard, _scan(shard, settings))
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(order)),
            mp_context=context,
            initializer=_start_worker,
            initargs=(settings.library_hash, _shipped_file(settings), settings.cache_dir),
        ) as pool:
            pending: dict[Future[dict[str, Any]], Shard] = {}
            queue = list(reversed(order))

            def top_up() -> None:  # bounded: results return as they finish
                while queue and len(pending) < 2 * workers:
                    shard = queue.pop()
                    pending[pool.submit(_scan, shard, settings, run_dir)] = shard

            try:
                top_up()
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        shard = pending.pop(future)
                        done(shard, _result(future, shard))
                    top_up()
            except BaseException:
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=False, cancel_futures=True)
                raise


AUTO_BYTES_PER_WORKER = 256 << 20
"""With no --workers, one worker per this much corpus left to scan (up to the CPU count): a worker costs ≈0.3 s
to start, about what it scans of 150–200 MB at the default sample, so on a 210 MB corpus one worker finishes
first and on 1 GB two do (docs/benchmarks.md, run I)."""


def auto_workers(shards: Sequence[Shard]) -> int:
    """How many worker processes a scan of ``shards`` should start when the user did not say."""
    total = sum(s.size for s in shards)
    return max(1, min(os.cpu_count() or 1, len(shards), -(-total // AUTO_BYTES_PER_WORKER)))


def _shipped_file(settings: ScanSettings) -> str | None:
    """The pickled matcher as a file in the run's cache, for the workers to read: sent through the start-up
    pipe, its 2 MB made starting each worker block the driver until that worker had read it."""
    shipped = shippable_matcher(settings)
    if shipped is None or settings.cache_dir is None:
        return None
    digest = hashlib.blake2b(shipped, digest_size=12).hexdigest()
    path = Path(settings.cache_dir) / "matcher" / f"shipped-{digest}.pickle"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, shipped, durable=False)
    return str(path)


def _start_worker(library_hash: str, shipped: str | None, cache_dir: str | None) -> None:
    """A pool worker's start: ignore SIGINT, then take the driver's matcher. Ctrl-C in a terminal reaches
    every process of the group, and each worker would print its own KeyboardInterrupt traceback; the driver
    alone stops the scan (pending shards are cancelled, a running one finishes and is stored, so the resume
    skips it). Ignoring it in the driver while the workers start would have let a Ctrl-C be lost."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    install_matcher(library_hash, shipped, cache_dir)


def _scan(shard: Shard, settings: ScanSettings, run_dir: str | None = None) -> dict[str, Any]:
    result = scan_shard(shard, settings)
    if run_dir is None:
        return result
    store_result(run_dir, shard, result)
    return {STORED: True, "shard": shard.name, "items": result["items"]}


def _result(future: Future[dict[str, Any]], shard: Shard) -> dict[str, Any]:
    try:
        return future.result()
    except AibeianError:
        raise
    except Exception as exc:
        raise EngineError(
            f"shard {shard.name} ({', '.join(f.relpath for f in shard.files[:3])}) failed in a "
            f"worker: {type(exc).__name__}: {exc}"
        ) from exc


@engines.register("local")
def local_engine(options: EngineOptions) -> LocalEngine:
    return LocalEngine(options)
