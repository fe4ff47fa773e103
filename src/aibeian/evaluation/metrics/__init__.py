"""Rates with Wilson 95 % intervals against the thresholds and sample minimums of the standards."""

from aibeian.evaluation.metrics._metrics import (
    METRICS,
    MetricSpec,
    compute_metrics,
    judge_disagreement,
    rate_block,
    sample_shortfalls,
)
from aibeian.evaluation.metrics._wilson import Z95, wilson_interval

__all__ = [
    "METRICS",
    "Z95",
    "MetricSpec",
    "compute_metrics",
    "judge_disagreement",
    "rate_block",
    "sample_shortfalls",
    "wilson_interval",
]
