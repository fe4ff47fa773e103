"""Scan engines: run the one shard function over a list of shards, locally or on Ray, reporting each result
to the driver as it completes. The engine decides only *where* a shard runs, never *what* it computes."""

from aibeian.corpus.engines._base import Engine, EngineOptions, ShardDone, engines, get_engine
from aibeian.corpus.engines._local import LocalEngine
from aibeian.corpus.engines._ray import RayEngine

__all__ = ["Engine", "EngineOptions", "LocalEngine", "RayEngine", "ShardDone", "engines", "get_engine"]
