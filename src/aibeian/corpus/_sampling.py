"""Reproducible sampling keyed by (seed, item id), identical under every engine and worker count.

Each item gets two 64-bit keyed hashes from one BLAKE2b call: one orders it for the technical sample, one for
the manual sample. The technical sample of a shard is the ceil(rate·n) items with the smallest hash, so
every shard (and hence the corpus and every source of ≥1/rate items) is sampled at no less than the rate,
and which items are chosen depends only on the seed and the item ids. The manual sample is allocated to
sources in proportion to their sizes (largest remainders) and within each source takes the smallest hashes.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SmallestKeys", "allocate", "item_hashes", "item_hashes_array", "technical_count"]

HASH_SPACE = float(1 << 64)


def item_hashes(seed: int, key: str) -> tuple[int, int]:
    """(technical, manual) hashes of one item id; pure, so any process computes the same."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16, key=str(seed).encode()).digest()
    return int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:], "big")


def item_hashes_array(seed: int, keys: list[str]) -> tuple[Any, Any]:
    """``item_hashes`` of many ids at once, as two uint64 arrays (technical, manual): one BLAKE2b call per
    id, but no Python int per hash, so a block is compared, sorted and selected in numpy."""
    import numpy as np

    keyed = hashlib.blake2b(digest_size=16, key=str(seed).encode())  # the key block, compressed once
    parts = []
    for k in keys:
        h = keyed.copy()
        h.update(k.encode("utf-8"))
        parts.append(h.digest())
    digests = b"".join(parts)
    both = np.frombuffer(digests, dtype=">u8").reshape(-1, 2).astype(np.uint64)
    return both[:, 0], both[:, 1]


def below(hashes: Any, limit: int) -> Any:
    """Boolean mask of ``hashes < limit`` for a limit that may be 2**64 (every hash is below it)."""
    import numpy as np

    if limit >= 1 << 64:
        return np.ones(len(hashes), dtype=bool)
    return hashes < np.uint64(limit)


def order_by_hash(hashes: Any, keys: list[str]) -> Any:
    """Indices ordering (hash, key) pairs ascending: by hash, ties (never seen in practice for 64-bit
    hashes, but possible) by key, so the order never depends on the order items arrived in."""
    import numpy as np

    order = np.argsort(hashes, kind="stable")
    ordered = hashes[order]
    if len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        return np.array(sorted(order.tolist(), key=lambda i: (int(hashes[i]), keys[i])), dtype=np.int64)
    return order


def technical_count(n: int, rate: float) -> int:
    """How many of ``n`` items the technical sample takes: ceil(rate·n), computed without float drift."""
    if n <= 0:
        return 0
    exact = rate * n
    k = math.ceil(exact - 1e-9 * max(1.0, exact))
    return min(n, max(k, 1 if rate > 0 else 0))


def allocate(total: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` draws over sources proportionally to ``sizes`` (Hamilton's largest remainders; ties go
    to the larger source, then the id). Never more than a source holds."""
    population = sum(sizes.values())
    if population <= total:
        return dict(sizes)
    quotas = {s: total * n / population for s, n in sizes.items()}
    counts = {s: min(sizes[s], math.floor(q)) for s, q in quotas.items()}
    left = total - sum(counts.values())
    order = sorted(sizes, key=lambda s: (-(quotas[s] - math.floor(quotas[s])), -sizes[s], s))
    while left > 0:
        progressed = False
        for s in order:
            if left and counts[s] < sizes[s]:
                counts[s] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return counts


class SmallestK:
    """The ``k`` smallest (hash, key) pairs of a stream, in O(k) memory."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[int, str]] = []  # max-heap by negated hash

    def add(self, h: int, key: str) -> None:
        if self.k <= 0:
            return
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, (-h, key))
        elif -self._heap[0][0] > h:
            heapq.heapreplace(self._heap, (-h, key))

    def items(self) -> list[tuple[int, str]]:
        return sorted((-h, key) for h, key in self._heap)

    @staticmethod
    def merge(streams: Iterable[Iterable[tuple[int, str]]], k: int) -> list[tuple[int, str]]:
        return heapq.nsmallest(k, (pair for stream in streams for pair in stream))


class SmallestKeys:
    """``SmallestK`` for arrays: the ``k`` smallest (hash, key) pairs of a stream of blocks, kept in numpy
    and pruned when twice ``k``, so a block costs a comparison rather than a heap push per item."""

    def __init__(self, k: int) -> None:
        import numpy as np

        self.k = k
        self._hashes = np.zeros(0, dtype=np.uint64)
        self._keys: list[str] = []
        self._bound: Any = None  # the k-th smallest hash once k are held: larger ones never enter

    def add(self, hashes: Any, keys: list[str]) -> None:
        import numpy as np

        if self.k <= 0 or not len(hashes):
            return
        if self._bound is not None:
            pick = np.flatnonzero(hashes <= self._bound)
            if not len(pick):
                return
            hashes, keys = hashes[pick], [keys[i] for i in pick.tolist()]
        self._hashes = np.concatenate((self._hashes, hashes))
        self._keys += keys
        if len(self._keys) >= 2 * self.k:
            self._prune()

    def _prune(self) -> None:
        if self.k <= 0:
            return
        if len(self._keys) >= self.k:
            keep = order_by_hash(self._hashes, self._keys)[: self.k]
            self._hashes = self._hashes[keep]
            self._keys = [self._keys[i] for i in keep.tolist()]
            self._bound = self._hashes[-1]
            return
        keep = order_by_hash(self._hashes, self._keys)
        self._hashes = self._hashes[keep]
        self._keys = [self._keys[i] for i in keep.tolist()]

    def items(self) -> list[tuple[int, str]]:
        self._prune()
        return list(zip(self._hashes.tolist(), self._keys, strict=True))

    def columns(self) -> tuple[list[int], list[str]]:
        """``items`` as two lists (hashes, keys): what a shard result carries, without a pair per item."""
        self._prune()
        return self._hashes.tolist(), list(self._keys)
