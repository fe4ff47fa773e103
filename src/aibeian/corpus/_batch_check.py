"""The technical check of sampled items, a batch at a time, with per-item outcomes kept as columns.

A batch's texts are joined by ``\\n`` and matched in one call: no match crosses a line break (the matcher
keeps line and paragraph breaks through normalisation and no keyword contains one; a test checks that a
batch and item-by-item matching agree), so each match belongs to the item its start falls in. Real text is
match-dense (≈27k matches per MB on the laws corpus), so matches are attributed to items in numpy, and the
evidence a report shows (the first few matches of an item) is built only for items that can still be among
a shard's first ``examples`` matched items in sample order; the others' evidence would be thrown away.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aibeian.corpus._sampling import order_by_hash

__all__ = ["BATCH_CHARS", "BatchChecker", "Checked"]

BATCH_CHARS = 1 << 20
"""A batch is matched once it holds about this many characters."""
SINGLE_CALL_CHARS = 1 << 22
"""A longer batch (it holds a huge item) is matched item by item with ``find``, which cuts long texts."""


@dataclass
class Checked:
    """Every checked item as columns (row i is one item): hash, id, source index, characters, match count,
    and the risks its matches fall under (``risks[i, j]``: item i matched a keyword of ``risk_names[j]``)."""

    tech: npt.NDArray[np.uint64]
    keys: list[str]
    source: npt.NDArray[np.int64]
    chars: npt.NDArray[np.int64]
    count: npt.NDArray[np.int64]
    risks: npt.NDArray[np.bool_]
    risk_names: list[str]
    evidence: dict[str, list[dict[str, Any]]]


_RISKS: dict[int, tuple[Any, list[str], npt.NDArray[np.int64], dict[str, int]]] = {}


def _risk_columns(matcher: Any) -> tuple[list[str], npt.NDArray[np.int64], dict[str, int]]:
    """The risk names, each keyword's risk index and the name→index map: once per matcher and process
    (a checker is made per shard, and walking 10k keywords per shard showed in the profile)."""
    found = _RISKS.get(id(matcher))
    if found is None or found[0] is not matcher:
        names = sorted({risk for _, risk in matcher.keywords})
        index = {name: i for i, name in enumerate(names)}
        of = np.array([index[r] for _, r in matcher.keywords], dtype=np.int64)
        _RISKS.clear()
        found = _RISKS[id(matcher)] = (matcher, names, of, index)
    return found[1], found[2], found[3]


class BatchChecker:
    """Collects candidate items, matches them a batch at a time, keeps their outcomes as columns."""

    def __init__(self, matcher: Any, evidence_per_item: int, examples: int) -> None:
        self.matcher = matcher
        self.keep = evidence_per_item
        self.examples = examples
        self.risk_names, self._risk_of, self._risk_index = _risk_columns(matcher)
        self._pending: list[tuple[str, npt.NDArray[np.int64], npt.NDArray[np.uint64], list[str], Any]] = []
        self._size = 0
        self._cols: dict[str, list[Any]] = {k: [] for k in ("tech", "source", "chars", "count", "risks")}
        self._keys: list[str] = []
        self._evidence: dict[str, tuple[int, list[dict[str, Any]]]] = {}

    def add(
        self,
        joined: str,
        lengths: npt.NDArray[np.int64],
        tech: npt.NDArray[np.uint64],
        keys: list[str],
        source: npt.NDArray[np.int64],
    ) -> None:
        if not len(keys):
            return
        self._pending.append((joined, lengths, tech, keys, source))
        self._size += int(lengths.sum()) + len(keys)
        if self._size >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        pieces = [p[0] for p in self._pending]
        lengths = np.concatenate([p[1] for p in self._pending])
        tech = np.concatenate([p[2] for p in self._pending])
        keys = [k for p in self._pending for k in p[3]]
        self._cols["source"].append(np.concatenate([p[4] for p in self._pending]))
        self._pending, self._size = [], 0
        joined = "\n".join(pieces)
        if len(joined) <= SINGLE_CALL_CHARS:
            count, risks = self._by_spans(joined, lengths, tech, keys)
        else:
            count, risks = self._by_find(joined, lengths, tech, keys)
        self._cols["tech"].append(tech)
        self._cols["chars"].append(lengths)
        self._cols["count"].append(count)
        self._cols["risks"].append(risks)
        self._keys += keys

    def _by_spans(
        self, joined: str, lengths: npt.NDArray[np.int64], tech: npt.NDArray[np.uint64], keys: list[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        n = len(keys)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        spans = self.matcher.spans(joined)
        owner = np.searchsorted(starts, spans.start, side="right") - 1
        count = np.bincount(owner, minlength=n).astype(np.int64)
        risks = np.zeros((n, len(self.risk_names)), dtype=bool)
        risks[owner, self._risk_of[spans.keyword]] = True
        wanted = self._evidence_wanted(np.flatnonzero(count), tech, keys)
        if len(wanted):
            first = np.searchsorted(owner, wanted)
            keywords = self.matcher.keywords
            for i, f in zip(wanted.tolist(), first.tolist(), strict=True):
                base = int(starts[i])
                stop = f + min(self.keep, int(count[i]))
                found = []
                for a, b, k in zip(
                    spans.start[f:stop].tolist(),
                    spans.end[f:stop].tolist(),
                    spans.keyword[f:stop].tolist(),
                    strict=True,
                ):
                    found.append(
                        {
                            "start": a - base,
                            "end": b - base,
                            "text": joined[a:b],
                            "keyword": keywords[k][0],
                            "risk": keywords[k][1],
                        }
                    )
                self._add_evidence(keys[i], int(tech[i]), found)
        return count, risks

    def _by_find(
        self, joined: str, lengths: npt.NDArray[np.int64], tech: npt.NDArray[np.uint64], keys: list[str]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Item by item (a batch with a huge text): ``find`` scans long texts in pieces."""
        n = len(keys)
        count = np.zeros(n, dtype=np.int64)
        risks = np.zeros((n, len(self.risk_names)), dtype=bool)
        begin = 0
        for i, size in enumerate(lengths.tolist()):
            text = joined[begin : begin + size]
            begin += size + 1
            found = self.matcher.find(text)
            count[i] = len(found)
            for m in found:
                risks[i, self._risk_index[m.risk]] = True
            if found and len(self._evidence_wanted(np.array([i]), tech, keys)):
                evidence = [
                    {"start": m.start, "end": m.end, "text": m.text, "keyword": m.keyword, "risk": m.risk}
                    for m in found[: self.keep]
                ]
                self._add_evidence(keys[i], int(tech[i]), evidence)
        return count, risks

    def _evidence_wanted(
        self, matched: npt.NDArray[np.int64], tech: npt.NDArray[np.uint64], keys: list[str]
    ) -> npt.NDArray[np.int64]:
        """The matched items of a batch that may be among the ``examples`` smallest-hash matched items."""
        if not self.examples or not len(matched):
            return np.zeros(0, dtype=np.int64)
        if len(self._evidence) >= self.examples:
            bound = max(h for h, _ in self._evidence.values())
            matched = matched[tech[matched] <= np.uint64(bound)]
        if len(matched) > self.examples:
            order = order_by_hash(tech[matched], [keys[i] for i in matched.tolist()])
            matched = matched[order[: self.examples]]
        return np.asarray(matched, dtype=np.int64)

    def _add_evidence(self, key: str, tech: int, found: list[dict[str, Any]]) -> None:
        self._evidence[key] = (tech, found)
        if len(self._evidence) > 2 * self.examples:
            kept = sorted(self._evidence.items(), key=lambda kv: (kv[1][0], kv[0]))[: self.examples]
            self._evidence = dict(kept)

    def checked(self) -> Checked:
        """Everything checked so far (call ``flush`` first)."""
        cols = self._cols
        width = len(self.risk_names)
        return Checked(
            tech=np.concatenate(cols["tech"]) if cols["tech"] else np.zeros(0, dtype=np.uint64),
            keys=self._keys,
            source=np.concatenate(cols["source"]) if cols["source"] else np.zeros(0, dtype=np.int64),
            chars=np.concatenate(cols["chars"]) if cols["chars"] else np.zeros(0, dtype=np.int64),
            count=np.concatenate(cols["count"]) if cols["count"] else np.zeros(0, dtype=np.int64),
            risks=np.concatenate(cols["risks"]) if cols["risks"] else np.zeros((0, width), dtype=bool),
            risk_names=self.risk_names,
            evidence={key: found for key, (_, found) in self._evidence.items()},
        )
