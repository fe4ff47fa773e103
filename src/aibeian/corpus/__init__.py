"""Training-corpus safety assessment: per-source screening, the technical and manual spot checks, and the
corpus section of the security self-assessment, on one machine or on Ray with the same results."""

from typing import TYPE_CHECKING

from aibeian._lazy import lazy_exports

if TYPE_CHECKING:
    from aibeian.corpus._api import assess, prepare_settings
    from aibeian.corpus._assess import assess_run, thresholds
    from aibeian.corpus._plan import Plan, Shard, plan_shards
    from aibeian.corpus._readers import Corrupt, Item, iter_items
    from aibeian.corpus._review import draw_manual_sample, import_reviews, manual_summary, write_review_file
    from aibeian.corpus._review_store import (
        Agreement,
        ReviewState,
        agreement,
        claim,
        claimed_by_others,
        record_verdict,
        review_state,
    )
    from aibeian.corpus._run import RunDir, ScanProgress, scan
    from aibeian.corpus._sampling import allocate, item_hashes, technical_count
    from aibeian.corpus._settings import ScanSettings
    from aibeian.corpus._shard import scan_shard
    from aibeian.corpus._sources import Source, SourcesConfig, load_sources

__all__ = [
    "Agreement",
    "Corrupt",
    "Item",
    "Plan",
    "ReviewState",
    "RunDir",
    "ScanProgress",
    "ScanSettings",
    "Shard",
    "Source",
    "SourcesConfig",
    "agreement",
    "allocate",
    "assess",
    "assess_run",
    "claim",
    "claimed_by_others",
    "draw_manual_sample",
    "import_reviews",
    "item_hashes",
    "iter_items",
    "load_sources",
    "manual_summary",
    "plan_shards",
    "prepare_settings",
    "record_verdict",
    "review_state",
    "scan",
    "scan_shard",
    "technical_count",
    "thresholds",
    "write_review_file",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "assess": "_api",
        "prepare_settings": "_api",
        "assess_run": "_assess",
        "thresholds": "_assess",
        "Plan": "_plan",
        "Shard": "_plan",
        "plan_shards": "_plan",
        "Corrupt": "_readers",
        "Item": "_readers",
        "iter_items": "_readers",
        "draw_manual_sample": "_review",
        "import_reviews": "_review",
        "manual_summary": "_review",
        "write_review_file": "_review",
        "Agreement": "_review_store",
        "ReviewState": "_review_store",
        "agreement": "_review_store",
        "claim": "_review_store",
        "claimed_by_others": "_review_store",
        "record_verdict": "_review_store",
        "review_state": "_review_store",
        "RunDir": "_run",
        "ScanProgress": "_run",
        "scan": "_run",
        "allocate": "_sampling",
        "item_hashes": "_sampling",
        "technical_count": "_sampling",
        "ScanSettings": "_settings",
        "scan_shard": "_shard",
        "Source": "_sources",
        "SourcesConfig": "_sources",
        "load_sources": "_sources",
    },
)
