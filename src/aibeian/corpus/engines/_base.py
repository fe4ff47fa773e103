"""What an engine is, and the registry local, Ray and third-party engines live in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aibeian.corpus._plan import Shard
from aibeian.corpus._settings import ScanSettings
from aibeian.registry import Registry

ShardDone = Callable[[Shard, dict[str, Any]], None]
"""Called in the driver with each shard's result as soon as it is complete (it stores the result)."""


@dataclass(frozen=True)
class EngineOptions:
    """How to run, not what to compute: results never depend on these."""

    workers: int | None = 1
    """Worker processes (local) or Ray CPUs; None chooses (``auto_workers``)."""
    ray_address: str | None = None


class Engine(Protocol):
    name: str

    def run(self, shards: Sequence[Shard], settings: ScanSettings, done: ShardDone) -> None: ...

    def describe(self) -> dict[str, Any]: ...


EngineFactory = Callable[[EngineOptions], Engine]
engines: Registry[EngineFactory] = Registry("engine")


def get_engine(name: str, options: EngineOptions) -> Engine:
    from aibeian.corpus import engines as _builtin  # noqa: F401 - registers local and ray

    return engines.get(name)(options)
