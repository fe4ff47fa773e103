"""A shard's bookkeeping: items and characters per source, located problems, the manual-sample reserve,
and, once the sample is checked, the per-source outcome and the flagged examples of the shard's result.

Sources are numbered as they are first met, so a block's items carry a source index (a numpy column) and
every per-source sum is a ``bincount`` rather than a dictionary update per item.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from aibeian.corpus._batch_check import Checked
from aibeian.corpus._blocks import Block
from aibeian.corpus._plan import CorpusFile
from aibeian.corpus._readers import Corrupt
from aibeian.corpus._sampling import SmallestKeys
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._sources import UNASSIGNED

__all__ = ["Tally"]


class Tally:
    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        self.names: list[str] = []
        self._index: dict[str, int] = {}
        self._items: list[int] = []
        self._chars: list[int] = []
        self._reserve: list[SmallestKeys] = []
        self._by_value: dict[str, str | None] = {}
        self.n = 0
        self.corrupt_count = 0
        self.corrupt: list[dict[str, object]] = []
        self.unassigned: list[dict[str, object]] = []

    def _source(self, name: str) -> int:
        found = self._index.get(name)
        if found is None:
            found = self._index[name] = len(self.names)
            self.names.append(name)
            self._items.append(0)
            self._chars.append(0)
            self._reserve.append(SmallestKeys(self.settings.manual_reserve))
        return found

    def sources_of(self, f: CorpusFile, block: Block) -> npt.NDArray[np.int64]:
        """Each item's source index: by the source field's value when it names a source, else by path."""
        fallback = f.source or UNASSIGNED
        if block.values is None:
            return np.full(len(block.keys), self._source(fallback), dtype=np.int64)
        config = self.settings.sources
        found = []
        for value in block.values:
            if value is None:
                found.append(self._source(fallback))
                continue
            text = str(value)
            if text not in self._by_value:
                self._by_value[text] = config.by_value(value)
            found.append(self._source(self._by_value[text] or fallback))
        return np.array(found, dtype=np.int64)

    def add_corrupt(self, corrupt: list[Corrupt]) -> None:
        self.corrupt_count += len(corrupt)
        room = self.settings.problems_per_shard - len(self.corrupt)
        self.corrupt += [c.to_dict() for c in corrupt[: max(room, 0)]]

    def add_items(
        self,
        block: Block,
        source: npt.NDArray[np.int64],
        manual: npt.NDArray[np.uint64],
    ) -> None:
        keys, lengths = block.keys, block.lengths
        self.n += len(keys)
        if bool((source == source[0]).all()):
            s = int(source[0])
            self._items[s] += len(keys)
            self._chars[s] += int(lengths.sum())
            self._reserve[s].add(manual, keys)
        else:
            for s in np.unique(source).tolist():
                at = np.flatnonzero(source == s)
                self._items[s] += len(at)
                self._chars[s] += int(lengths[at].sum())
                self._reserve[s].add(manual[at], [keys[i] for i in at.tolist()])
        room = self.settings.problems_per_shard - len(self.unassigned)
        if UNASSIGNED in self._index and room > 0:
            for i in np.flatnonzero(source == self._index[UNASSIGNED])[:room].tolist():
                value = None if block.values is None else block.values[i]
                self.unassigned.append({"id": keys[i], "value": None if value is None else str(value)})

    def reserve(self) -> dict[str, dict[str, list[Any]]]:
        """Per source the kept (hash, id) pairs as columns, ascending by hash."""
        out: dict[str, dict[str, list[Any]]] = {}
        for name, s in sorted(self._index.items()):
            hashes, keys = self._reserve[s].columns()
            out[name] = {"hashes": hashes, "keys": keys}
        return out

    def _risks(
        self,
        names: list[str],
        rows: npt.NDArray[np.bool_],
        source: npt.NDArray[np.int64],
        flagged: npt.NDArray[np.bool_],
        judges: list[list[dict[str, Any]]] | None,
    ) -> list[dict[str, int]]:
        """Per source, how many flagged sampled items fall under each risk (matched or named by a judge)."""
        risks: list[dict[str, int]] = [{} for _ in self.names]
        if judges is None:  # the matcher's risks only: column sums
            for s in np.unique(source[flagged]).tolist():
                sums = rows[flagged & (source == s)].sum(axis=0).tolist()
                risks[s] = {names[j]: int(n) for j, n in enumerate(sums) if n}
            return risks
        for i in np.flatnonzero(flagged).tolist():
            found = {names[j] for j in np.flatnonzero(rows[i]).tolist()}
            found |= {c for j in judges[i] for c in j.get("categories", [])}
            for risk in found:
                risks[int(source[i])][risk] = risks[int(source[i])].get(risk, 0) + 1
        return risks

    def outcome(
        self, checked: Checked, selected: npt.NDArray[np.int64], judges: list[list[dict[str, Any]]] | None
    ) -> dict[str, Any]:
        """The result's ``sources``, ``corrupt``, ``unassigned_examples`` and ``flagged`` entries."""
        size = len(self.names)
        source = checked.source[selected]
        count = checked.count[selected]
        matched = count > 0
        verdicts = judges if judges is not None else [[] for _ in range(len(selected))]
        judge_flagged = np.zeros(len(selected), dtype=bool)
        judge_errors = np.zeros(len(selected), dtype=bool)
        if judges is not None:
            judge_flagged[:] = [any(j.get("safe") is False for j in v) for v in judges]
            judge_errors[:] = [any(bool(j.get("error")) for j in v) for v in judges]
        flagged = matched | judge_flagged | judge_errors

        def per_source(mask: npt.NDArray[np.bool_] | None = None, weights: Any = None) -> list[int]:
            at = source if mask is None else source[mask]
            w = None if weights is None else (weights if mask is None else weights[mask])
            return [int(x) for x in np.bincount(at, weights=w, minlength=size).tolist()]

        rows = checked.risks[selected]
        risks = self._risks(checked.risk_names, rows, source, flagged, judges)
        columns = {
            "sampled": per_source(),
            "sampled_chars": per_source(weights=checked.chars[selected]),
            "flagged": per_source(flagged),
            "matched": per_source(matched),
            "judge_flagged": per_source(judge_flagged),
            "judge_errors": per_source(judge_errors),
        }
        sources = {
            name: {
                "items": self._items[s],
                "chars": self._chars[s],
                **{column: values[s] for column, values in columns.items()},
                "risks": risks[s],
            }
            for s, name in enumerate(self.names)
        }
        examples = []
        for i in np.flatnonzero(flagged)[: self.settings.flagged_per_shard].tolist():
            key = checked.keys[int(selected[i])]
            hit = bool(matched[i])
            examples.append(
                {
                    "id": key,
                    "sample_hash": int(checked.tech[int(selected[i])]),  # the report draws its examples by it
                    "source": self.names[int(source[i])],
                    "match_count": int(count[i]),
                    "matches": checked.evidence[key] if hit else [],
                    "risks": [checked.risk_names[j] for j in np.flatnonzero(rows[i]).tolist()] if hit else [],
                    "judges": verdicts[i],
                }
            )
        return {
            "sources": sources,
            "corrupt": {"count": self.corrupt_count, "examples": self.corrupt},
            "unassigned_examples": self.unassigned,
            "flagged": examples,
        }
