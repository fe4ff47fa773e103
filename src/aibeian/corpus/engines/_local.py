"""The local engine: the shard function in this process (1 worker) or in a pool of processes.

Processes, not threads: the matcher and JSON decoding hold the GIL. Workers are started with ``spawn`` so a
scan behaves the same on every platform and never inherits the driver's threads (the progress bar). Largest
shards go first so the last worker is not left alone with the biggest file.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from aibeian.corpus._plan import Shard
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._shard import install_matcher, scan_shard, shippable_matcher
from aibeian.corpus.engines._base import EngineOptions, ShardDone, engines
from aibeian.errors import AibeianError, EngineError


class LocalEngine:
    name = "local"

    def __init__(self, options: EngineOptions) -> None:
        self.workers = max(1, options.workers)

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "workers": self.workers}

    def run(self, shards: Sequence[Shard], settings: ScanSettings, done: ShardDone) -> None:
        order = sorted(shards, key=lambda s: (-s.size, s.name))
        if self.workers == 1 or len(order) == 1:
            for shard in order:
                done(shard, _scan(shard, settings))
            return
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=min(self.workers, len(order)),
            mp_context=context,
            initializer=install_matcher,
            initargs=(settings.library_hash, shippable_matcher(settings)),
        ) as pool:
            pending: dict[Future[dict[str, Any]], Shard] = {}
            queue = list(reversed(order))
            try:
                while queue or pending:
                    while queue and len(pending) < 2 * self.workers:  # bounded: results return as they finish
                        shard = queue.pop()
                        pending[pool.submit(_scan, shard, settings)] = shard
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        shard = pending.pop(future)
                        done(shard, _result(future, shard))
            except BaseException:
                for future in pending:
                    future.cancel()
                pool.shutdown(wait=False, cancel_futures=True)
                raise


def _scan(shard: Shard, settings: ScanSettings) -> dict[str, Any]:
    return scan_shard(shard, settings)


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
