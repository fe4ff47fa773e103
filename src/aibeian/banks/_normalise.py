"""Duplicate and near-duplicate prompts. A bank padded with trivially reworded questions overstates its size,
and reviewers notice; we compare prompts after normalisation and by character-shingle overlap."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

_SHINGLE = 3
_MAX_POSTING = 200  # a shingle shared by this many prompts is boilerplate, not evidence of duplication


def normalise_prompt(text: str) -> str:
    """NFKC (full-width → half-width), case-folded, without spaces, punctuation or symbols."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _shingles(text: str) -> set[str]:
    if len(text) <= _SHINGLE:
        return {text} if text else set()
    return {text[i : i + _SHINGLE] for i in range(len(text) - _SHINGLE + 1)}


@dataclass(frozen=True)
class DuplicatePair:
    first: str
    second: str
    similarity: float

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0


def find_duplicates(prompts: Sequence[tuple[str, str]], *, threshold: float = 0.85) -> list[DuplicatePair]:
    """Pairs of (id, prompt) whose normalised prompts are equal or whose 3-gram Jaccard similarity is at least
    ``threshold``. An inverted index keeps this near-linear for banks of thousands of items."""
    norm = [(item_id, normalise_prompt(text)) for item_id, text in prompts]
    pairs: list[DuplicatePair] = []
    by_text: dict[str, str] = {}
    unique: list[tuple[str, set[str]]] = []
    for item_id, text in norm:
        if text in by_text:
            pairs.append(DuplicatePair(by_text[text], item_id, 1.0))
            continue
        by_text[text] = item_id
        unique.append((item_id, _shingles(text)))
    postings: dict[str, list[int]] = defaultdict(list)
    for index, (_, shingles) in enumerate(unique):
        for s in shingles:
            postings[s].append(index)
    for index, (item_id, shingles) in enumerate(unique):
        if not shingles:
            continue
        shared: dict[int, int] = defaultdict(int)
        for s in shingles:
            posting = postings[s]
            if len(posting) > _MAX_POSTING:
                continue
            for other in posting:
                if other > index:
                    shared[other] += 1
        for other, common in shared.items():
            other_shingles = unique[other][1]
            union = len(shingles) + len(other_shingles) - common
            similarity = common / union if union else 0.0
            if similarity >= threshold:
                pairs.append(DuplicatePair(item_id, unique[other][0], round(similarity, 3)))
    return pairs
