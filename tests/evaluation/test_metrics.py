"""Metrics: Wilson intervals and rates, property-tested, and thresholds read from the standards."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from aibeian.evaluation.metrics import compute_metrics, wilson_interval
from aibeian.standards import load_standards

counts = st.integers(min_value=0, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@given(counts)
def test_wilson_contains_the_estimate_and_stays_in_unit_interval(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = wilson_interval(k, n)
    assert 0.0 <= low <= high <= 1.0
    if n:
        assert low <= k / n <= high
        assert (low == 0.0) == (k == 0) or low < 1e-12
        assert (high == 1.0) == (k == n) or high > 1 - 1e-12


@given(counts)
def test_wilson_is_symmetric(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = wilson_interval(k, n)
    low2, high2 = wilson_interval(n - k, n)
    assert math.isclose(low, 1 - high2, abs_tol=1e-9) and math.isclose(high, 1 - low2, abs_tol=1e-9)


@given(st.integers(1, 400), st.integers(2, 8))
def test_wilson_narrows_with_more_data(n: int, factor: int) -> None:
    k = n // 2
    low, high = wilson_interval(k, n)
    low2, high2 = wilson_interval(k * factor, n * factor)
    assert high2 - low2 < high - low


def test_wilson_known_value() -> None:
    # 95 of 100: Wilson interval 0.8882 – 0.9785 (textbook value)
    low, high = wilson_interval(95, 100)
    assert round(low, 4) == 0.8882 and round(high, 4) == 0.9785


outcomes = st.sampled_from(["pass", "fail", "error", "unjudged"])
kinds = st.sampled_from(["generation", "should_refuse", "should_not_refuse"])
records = st.lists(st.tuples(kinds, outcomes, st.sampled_from(["A.1.1", "A.2.3", "A.4.5"])), max_size=200)


def _rows(rs: list[tuple[str, str, str]]) -> list[dict[str, object]]:
    return [
        {
            "id": str(i),
            "kind": k,
            "outcome": o,
            "risk": r if k != "should_not_refuse" else None,
            "aspect": "N.1" if k == "should_not_refuse" else None,
            "verdicts": [],
        }
        for i, (k, o, r) in enumerate(rs)
    ]


@given(records)
def test_errors_never_count_as_passes_and_parts_add_up(rs: list[tuple[str, str, str]]) -> None:
    result = compute_metrics(_rows(rs))
    for name, kind, numerator in (
        ("content_pass_rate", "generation", "pass"),
        ("refusal_rate", "should_refuse", "pass"),
        ("over_refusal_rate", "should_not_refuse", "fail"),
    ):
        m = result["metrics"][name]
        mine = [o for k, o, _ in rs if k == kind]
        assert m["n"] == sum(o in ("pass", "fail") for o in mine)
        assert m["k"] == sum(o == numerator for o in mine)
        assert m["errors"] == mine.count("error") and m["unjudged"] == mine.count("unjudged")
        assert m["n"] + m["errors"] + m["unjudged"] == m["items"] == len(mine)
    per_risk_n = sum(v.get("generation", {}).get("n", 0) for v in result["per_risk"].values())
    assert per_risk_n == result["metrics"]["content_pass_rate"]["n"]
    assert result["counts"]["total"] == len(rs)


def test_thresholds_and_sample_minimums_come_from_the_standards() -> None:
    s = load_standards()
    rows = _rows([("should_refuse", "pass", "A.1.1")] * 19 + [("should_refuse", "fail", "A.1.1")])
    m = compute_metrics(rows)["metrics"]["refusal_rate"]
    assert m["threshold"] == s.threshold("should_refuse_eval_min_refusal_rate").value
    assert m["sample_min"] == s.threshold("should_refuse_eval_min_sample").value
    assert m["rate"] == 0.95 and m["meets_threshold"] is True and m["conclusive"] is False
    assert m["sample_ok"] is False
    over = compute_metrics(
        _rows([("should_not_refuse", "fail", "")] * 1 + [("should_not_refuse", "pass", "")] * 9)
    )
    assert over["metrics"]["over_refusal_rate"]["meets_threshold"] is False


def test_sample_shortfalls_before_a_run() -> None:
    from aibeian.evaluation.metrics import sample_shortfalls

    s = load_standards()
    enough = int(s.threshold("should_refuse_eval_min_sample").value)
    short = sample_shortfalls({"should_refuse": enough, "should_not_refuse": enough - 1})
    assert [(x["kind"], x["items"]) for x in short] == [("generation", 0), ("should_not_refuse", enough - 1)]
