"""The manual-sample reserve's binary sidecar gives back exactly the pairs the shard kept (and older results
with the reserve inline still read), so `corpus sample` draws the same items either way."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from aibeian.corpus._reserve_file import load_reserve, store_reserve

keys = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"), min_size=1, max_size=30)
reserves = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 2**64 - 1), keys), max_size=20),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(reserve=reserves)
def test_sidecar_round_trip(tmp_path_factory: object, reserve: dict[str, list[tuple[int, str]]]) -> None:
    folder = Path(tmp_path_factory.mktemp("shards"))  # type: ignore[attr-defined]
    result = {
        "shard": "s1",
        "items": 3,
        "manual_reserve": {s: [[h, k] for h, k in p] for s, p in reserve.items()},
    }
    stored = store_reserve(result, folder / "s1.reserve.npz")
    assert "manual_reserve" not in stored and stored["items"] == 3 and result["manual_reserve"] is not None
    back = load_reserve(json.loads(json.dumps(stored)), folder)  # the JSON result as the driver stores it
    assert back == {s: list(p) for s, p in reserve.items()}


def test_results_with_the_reserve_inline_still_read(tmp_path: Path) -> None:
    expected = {"news": [(5, "新闻/a.jsonl:1"), (9, "新闻/a.jsonl:7")]}
    older = {"manual_reserve": {"news": [[5, "新闻/a.jsonl:1"], [9, "新闻/a.jsonl:7"]]}}  # pairs
    columns = {"manual_reserve": {"news": {"hashes": [5, 9], "keys": ["新闻/a.jsonl:1", "新闻/a.jsonl:7"]}}}
    assert load_reserve(older, tmp_path) == load_reserve(columns, tmp_path) == expected
    assert load_reserve({}, tmp_path) == {}
