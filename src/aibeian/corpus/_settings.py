"""Everything a shard worker needs, as one picklable value: the same under a local pool and on Ray."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from aibeian.corpus._sources import SourcesConfig

__all__ = ["EXAMPLES", "ScanSettings"]


EXAMPLES = 50
"""Examples of each kind (flagged, corrupt, unassigned) a report lists; a shard keeps no more flagged ones."""


@dataclass(frozen=True)
class ScanSettings:
    """The settings that decide a scan's results. ``key`` identifies them: a run directory only resumes a
    scan with the same key, so a result is never a mix of two settings."""

    sources: SourcesConfig
    library_path: str
    library_hash: str
    sample_rate: float = 0.1
    seed: int = 0
    judges: tuple[str, ...] = ()
    manual_reserve: int = 8000
    cache_dir: str | None = None
    judge_url: str | None = None
    judge_model: str | None = None
    judge_api_key_env: str | None = None
    evidence_per_item: int = 3
    flagged_per_shard: int = EXAMPLES
    problems_per_shard: int = 100
    library_size: int = 0
    judge_options: dict[str, Any] = field(default_factory=dict, compare=False)

    def decisive(self) -> dict[str, Any]:
        """The fields a result depends on (not where the library or cache happen to live)."""
        return {
            "sources": self.sources.to_dict(),
            "library_hash": self.library_hash,
            "sample_rate": self.sample_rate,
            "seed": self.seed,
            "judges": list(self.judges),
            "manual_reserve": self.manual_reserve,
            "judge_model": self.judge_model,
        }

    @property
    def key(self) -> str:
        return hashlib.sha256(
            json.dumps(self.decisive(), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = self.sources.to_dict()
        data.pop("judge_options")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanSettings:
        values = dict(data)
        values["sources"] = SourcesConfig.from_dict(values["sources"])
        values["judges"] = tuple(values.get("judges", ()))
        return cls(**values)
