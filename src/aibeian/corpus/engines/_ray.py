"""The Ray engine: Ray Data maps the same shard function over the shard list, on a local Ray instance
(``ray.init()``, as many CPUs as ``--workers``) or on an existing cluster (``--ray-address``).

Ray is imported only here, so ``aibeian`` works without it; a missing Ray says which extra to install.
Workers return each shard's result to the driver, which stores it: RUN_DIR stays on the driver's disk and
only the corpus files (and the keyword library) must be readable at the same path on every node.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aibeian.corpus._plan import Shard
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus.engines._base import EngineOptions, ShardDone, engines
from aibeian.errors import AibeianError, EngineError, MissingDependencyError


def import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise MissingDependencyError("ray[data]", extra="ray", purpose="the Ray corpus engine") from exc
    return ray


class RayEngine:
    name = "ray"
    stores_results = True
    """``run`` takes ``run_dir``; a worker that sees the driver's disk stores its shard's result and reports
    ``STORED``, others send the result to the driver."""

    def __init__(self, options: EngineOptions) -> None:
        self.workers = max(1, options.workers if options.workers is not None else os.cpu_count() or 1)
        self.address = options.ray_address

    def describe(self) -> dict[str, Any]:
        return {"engine": self.name, "workers": self.workers, "ray_address": self.address}

    def _init(self, ray: Any) -> bool:
        """Start (or join) Ray; return whether we started it, so we also shut it down."""
        if ray.is_initialized():
            return False
        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        try:
            if self.address:
                ray.init(address=self.address, logging_level=logging.WARNING, log_to_driver=False)
            else:
                ray.init(
                    num_cpus=self.workers,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                    log_to_driver=False,
                )
        except Exception as exc:
            where = self.address or "a local Ray instance"
            raise EngineError(f"cannot start or reach {where}: {exc}") from exc
        return True

    def run(
        self, shards: Sequence[Shard], settings: ScanSettings, done: ShardDone, run_dir: str | None = None
    ) -> None:
        with warnings.catch_warnings():
            # Ray's own deprecation notices (between its modules) are not actionable for our users
            warnings.simplefilter("ignore", DeprecationWarning)
            self._run(shards, settings, done, run_dir)

    def _run(
        self, shards: Sequence[Shard], settings: ScanSettings, done: ShardDone, run_dir: str | None
    ) -> None:
        ray = import_ray()
        started = self._init(ray)
        try:
            logging.getLogger("ray.data").setLevel(logging.ERROR)  # its progress notices would break our bar
            context = ray.data.DataContext.get_current()
            context.enable_progress_bars = False
            context.print_on_execution_start = False
            ordered = sorted(shards, key=lambda s: (-s.size, s.name))
            payload = [{"i": i} for i in range(len(ordered))]

            from aibeian.corpus._shard import shippable_matcher

            # the matcher (2 MB) and the plan go to the object store once; the function only holds references
            # (captured, they travelled with every task: measured, ≈30 ms of each task's ≈110)
            shipped = ray.put(shippable_matcher(settings))
            plan = ray.put(ordered)
            library_hash = settings.library_hash

            token = _shared_disk_token(run_dir)

            def scan(row: dict[str, Any]) -> dict[str, Any]:
                from aibeian.corpus._shard import (
                    STORED,
                    install_matcher,
                    matcher_installed,
                    scan_shard,
                    store_result,
                )

                if not matcher_installed(library_hash):
                    install_matcher(library_hash, ray.get(shipped), settings.cache_dir)
                shard = ray.get(plan)[row["i"]]
                result = scan_shard(shard, settings)
                if run_dir is not None and token is not None and _sees_token(run_dir, token):
                    store_result(run_dir, shard, result)  # a worker on the driver's disk stores its own
                    result = {STORED: True, "shard": shard.name, "items": result["items"]}
                return {"i": row["i"], "result": json.dumps(result)}

            dataset = ray.data.from_items(payload, override_num_blocks=len(payload))
            strategy = getattr(ray.data, "TaskPoolStrategy", None)
            if strategy is not None:
                dataset = dataset.map(scan, num_cpus=1, compute=strategy(size=self.workers))
            else:  # Ray before 2.51
                dataset = dataset.map(scan, num_cpus=1, concurrency=self.workers)
            for row in dataset.iter_rows():
                done(ordered[int(row["i"])], json.loads(row["result"]))
        except AibeianError:
            raise
        except Exception as exc:
            cause = _our_error(exc)
            if cause is not None:
                raise cause from exc
            raise EngineError(f"the Ray scan failed: {type(exc).__name__}: {exc}") from exc
        finally:
            if run_dir is not None:
                (Path(run_dir) / _TOKEN_FILE).unlink(missing_ok=True)
            if started:
                ray.shutdown()


def _our_error(exc: BaseException) -> AibeianError | None:
    """Ray wraps a task's exception; dig out one of ours (an InputError in a worker) to report it as is."""
    seen: BaseException | None = exc
    while seen is not None:
        cause = getattr(seen, "cause", None)
        if isinstance(seen, AibeianError):
            return seen
        if isinstance(cause, AibeianError):
            return cause
        seen = seen.__cause__ or (cause if isinstance(cause, BaseException) else None)
    return None


def _shared_disk_token(run_dir: str | None) -> str | None:
    """Write a random token into RUN_DIR: a worker that reads it back sees the driver's disk (the same machine,
    or a shared file system) and stores its shard's result itself; any other sends it to the driver."""
    if run_dir is None:
        return None
    import secrets

    from aibeian.files import atomic_write_text

    token = secrets.token_hex(16)
    atomic_write_text(Path(run_dir) / _TOKEN_FILE, token, durable=False)
    return token


def _sees_token(run_dir: str, token: str) -> bool:
    try:
        return (Path(run_dir) / _TOKEN_FILE).read_text(encoding="ascii") == token
    except (OSError, UnicodeDecodeError):
        return False


_TOKEN_FILE = ".ray-token"


@engines.register("ray")
def ray_engine(options: EngineOptions) -> RayEngine:
    return RayEngine(options)
