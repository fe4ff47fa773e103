"""The shard function: read one shard, count, sample, check the sample, write the result and its marker.

It is pure in the sense that matters for a distributed scan: the result depends only on the shard's files
and the settings, never on the engine, the worker or what ran before, so a shard may be retried, resumed or
run anywhere. Matching runs on batches of sampled texts joined by line breaks (no match crosses one), which
keeps the per-call overhead of the matcher off short items.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibeian.corpus._plan import Shard
from aibeian.corpus._readers import Corrupt, Item, iter_items
from aibeian.corpus._sampling import HASH_SPACE, SmallestK, item_hashes, technical_count
from aibeian.corpus._settings import ScanSettings
from aibeian.corpus._sources import UNASSIGNED
from aibeian.files import atomic_write_text

__all__ = ["install_matcher", "marker_path", "matcher_for", "result_path", "scan_shard", "store_result"]

CANDIDATE_MARGIN = 1.1
BATCH_CHARS = 1 << 20
_MATCHERS: dict[str, Any] = {}  # per process: a compiled library, loaded once per worker


def result_path(run_dir: Path, shard: Shard) -> Path:
    return run_dir / "shards" / f"{shard.name}.json"


def marker_path(run_dir: Path, shard: Shard) -> Path:
    return run_dir / "shards" / f"{shard.name}.done"


def install_matcher(library_hash: str, matcher: Any) -> None:
    """Hand a worker the driver's compiled matcher (once per process), so no worker re-reads the library."""
    _MATCHERS.clear()
    _MATCHERS[library_hash] = matcher


def matcher_for(settings: ScanSettings) -> Any:
    from aibeian.keywords import Library, Matcher

    found = _MATCHERS.get(settings.library_hash)
    if found is None:
        library = Library.load(settings.library_path)
        found = Matcher.compile(library, cache_dir=settings.cache_dir)
        _MATCHERS.clear()
        _MATCHERS[settings.library_hash] = found
    return found


@dataclass
class _Checked:
    """The technical-check outcome of one sampled item (its text is not kept)."""

    hash: int
    key: str
    source: str
    chars: int
    matches: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    risks: list[str] = field(default_factory=list)
    judges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.count > 0 or any(j.get("safe") is False or j.get("error") for j in self.judges)


class _Batcher:
    """Collects sampled items and matches them a batch at a time."""

    def __init__(self, settings: ScanSettings) -> None:
        self.matcher = matcher_for(settings)
        self.keep = settings.evidence_per_item
        self.pending: list[tuple[_Checked, str]] = []
        self.size = 0
        self.done: list[_Checked] = []
        self._risks: tuple[Any, list[str]] | None = None

    def add(self, checked: _Checked, text: str) -> None:
        self.pending.append((checked, text))
        self.size += len(text) + 1
        if self.size >= BATCH_CHARS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        import numpy as np

        texts = [t for _, t in self.pending]
        joined = "\n".join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        spans = self.matcher.spans(joined) if len(joined) <= (1 << 22) else None
        if spans is None:
            for checked, text in self.pending:
                self._record(
                    checked, [(m.start, m.end, m.keyword, m.risk) for m in self.matcher.find(text)], text
                )
        else:
            self._record_spans(spans, np.asarray(starts, dtype=np.int64))
        self.pending.clear()
        self.size = 0

    def _record_spans(self, spans: Any, starts: Any) -> None:
        """Per item: match count, the first few matches as evidence, the set of risks. Vectorised, because
        real text is match-dense (≈19k matches per MB on the laws corpus) and a Python loop per match would
        cost more than the matching itself."""
        import numpy as np

        n = len(self.pending)
        owner = np.searchsorted(starts, spans.start, side="right") - 1
        counts = np.bincount(owner, minlength=n).tolist()
        risk_ids, risk_names = self._risk_table()
        pairs = np.unique(owner.astype(np.int64) * len(risk_names) + risk_ids[spans.keyword])
        risks: dict[int, list[str]] = {}
        for code in pairs.tolist():
            risks.setdefault(code // len(risk_names), []).append(risk_names[code % len(risk_names)])
        first_of = np.searchsorted(owner, np.arange(n))
        keep = (np.arange(len(owner)) - first_of[owner]) < self.keep  # the first few matches of each item
        sel_owner = owner[keep].tolist()
        sel = zip(
            sel_owner,
            spans.start[keep].tolist(),
            spans.end[keep].tolist(),
            spans.keyword[keep].tolist(),
            strict=True,
        )
        evidence: dict[int, list[dict[str, Any]]] = {}
        keywords = self.matcher.keywords
        for i, a, b, k in sel:
            base = int(starts[i])
            text = self.pending[i][1]
            evidence.setdefault(i, []).append(
                {
                    "start": a - base,
                    "end": b - base,
                    "text": text[a - base : b - base],
                    "keyword": keywords[k][0],
                    "risk": keywords[k][1],
                }
            )
        for i, (checked, _) in enumerate(self.pending):
            checked.count = counts[i]
            if counts[i]:
                checked.matches = evidence[i]
                checked.risks = sorted(risks.get(i, []))
            self.done.append(checked)

    def _risk_table(self) -> tuple[Any, list[str]]:
        if self._risks is None:
            import numpy as np

            names = sorted({risk for _, risk in self.matcher.keywords})
            index = {name: i for i, name in enumerate(names)}
            self._risks = (np.array([index[r] for _, r in self.matcher.keywords], dtype=np.int64), names)
        return self._risks

    def _record(self, checked: _Checked, found: list[tuple[int, int, str, str]], text: str) -> None:
        checked.count = len(found)
        checked.matches = [
            {"start": s, "end": e, "text": text[s:e], "keyword": k, "risk": r}
            for s, e, k, r in found[: self.keep]
        ]
        checked.risks = sorted({r for _, _, _, r in found})
        self.done.append(checked)


def _source_of(item: Item, file_source: str | None, settings: ScanSettings) -> str:
    if settings.sources.source_field is not None and item.source_value is not None:
        by_value = settings.sources.by_value(item.source_value)
        if by_value is not None:
            return by_value
    return file_source or UNASSIGNED


def _stream(shard: Shard, settings: ScanSettings) -> Any:
    for f in shard.files:
        try:
            items = iter_items(
                Path(f.path),
                f.relpath,
                row_group=shard.row_group,
                text_field=settings.sources.text_field,
                source_field=settings.sources.source_field,
            )
            for item in items:
                yield f, item
        except OSError as exc:
            yield f, Corrupt(f.relpath, None, f"cannot read the file: {exc.strerror or exc}")


def _candidate_limit(rate: float) -> int:
    """Items hashed below this are matched on the first pass: a little above the rate, so the ceil(rate·n)
    smallest are almost always among them and a second pass is rare (and then cheap: a small shard)."""
    return int(min(1.0, rate * 1.05 + 0.005) * HASH_SPACE)


def scan_shard(shard: Shard, settings: ScanSettings) -> dict[str, Any]:
    """Scan one shard and return its result (counts, sample outcome, manual-sample reserve)."""
    limit = _candidate_limit(settings.sample_rate)
    counts: dict[str, list[int]] = {}  # source -> [items, characters]
    corrupt: list[dict[str, object]] = []
    corrupt_count = 0
    unassigned: list[dict[str, object]] = []
    reserve: dict[str, SmallestK] = {}
    batcher = _Batcher(settings)
    n = 0
    for f, item in _stream(shard, settings):
        if isinstance(item, Corrupt):
            corrupt_count += 1
            if len(corrupt) < settings.problems_per_shard:
                corrupt.append(item.to_dict())
            continue
        n += 1
        source = _source_of(item, f.source, settings)
        c = counts.get(source)
        if c is None:
            c = counts[source] = [0, 0]
            reserve[source] = SmallestK(settings.manual_reserve)
        c[0] += 1
        c[1] += len(item.text)
        if source == UNASSIGNED and len(unassigned) < settings.problems_per_shard:
            unassigned.append(
                {"id": item.key, "value": None if item.source_value is None else str(item.source_value)}
            )
        tech, manual = item_hashes(settings.seed, item.key)
        reserve[source].add(manual, item.key)
        if tech < limit:
            batcher.add(_Checked(tech, item.key, source, len(item.text)), item.text)
    batcher.flush()
    k = technical_count(n, settings.sample_rate)
    checked = sorted(batcher.done, key=lambda x: x.hash)
    if len(checked) < k:
        checked = _second_pass(shard, settings, batcher, limit, k - len(checked), checked)
    selected = checked[:k]
    if settings.judges and selected:
        from aibeian.corpus._judging import judge_selected

        texts = {x.key: x for x in selected}
        verdicts = judge_selected(
            settings,
            (
                (it.key, it.text)
                for _, it in _stream(shard, settings)
                if isinstance(it, Item) and it.key in texts
            ),
        )
        for key, found in verdicts.items():
            texts[key].judges = found
    sources: dict[str, dict[str, Any]] = {}
    for source, c in counts.items():
        sources[source] = {
            "items": c[0],
            "chars": c[1],
            "sampled": 0,
            "sampled_chars": 0,
            "flagged": 0,
            "matched": 0,
            "judge_flagged": 0,
            "judge_errors": 0,
            "risks": {},
        }
    for x in selected:
        s = sources[x.source]
        s["sampled"] += 1
        s["sampled_chars"] += x.chars
        s["matched"] += x.count > 0
        s["judge_flagged"] += any(j.get("safe") is False for j in x.judges)
        s["judge_errors"] += any(j.get("error") for j in x.judges)
        if x.flagged:
            s["flagged"] += 1
            for risk in sorted(set(x.risks) | {c for j in x.judges for c in j.get("categories", [])}):
                s["risks"][risk] = s["risks"].get(risk, 0) + 1
    flagged = [
        {
            "id": x.key,
            "source": x.source,
            "match_count": x.count,
            "matches": x.matches,
            "risks": x.risks,
            "judges": x.judges,
        }
        for x in selected
        if x.flagged
    ][: settings.flagged_per_shard]
    result = {
        "shard": shard.name,
        "fingerprint": shard.fingerprint,
        "settings": settings.key,
        "files": [f.relpath for f in shard.files],
        "paths": [f.path for f in shard.files],
        "row_group": shard.row_group,
        "bytes": shard.size,
        "items": n,
        "sampled": len(selected),
        "sources": sources,
        "corrupt": {"count": corrupt_count, "examples": corrupt},
        "unassigned_examples": unassigned,
        "flagged": flagged,
        "sample_digest": _digest(sorted(x.key for x in selected)),
        "manual_reserve": {s: [[h, key] for h, key in r.items()] for s, r in sorted(reserve.items())},
    }
    return result


def store_result(run_dir: str | os.PathLike[str], shard: Shard, result: dict[str, Any]) -> None:
    """Write a shard's result, then its completion marker (both atomically): a marker never exists without
    its result, and only the driver writes, so RUN_DIR need not be shared with remote workers."""
    run = Path(run_dir)
    (run / "shards").mkdir(parents=True, exist_ok=True)
    atomic_write_text(result_path(run, shard), json.dumps(result, ensure_ascii=False, sort_keys=True))
    marker = {"fingerprint": result["fingerprint"], "settings": result["settings"]}
    atomic_write_text(marker_path(run, shard), json.dumps(marker))


def _second_pass(
    shard: Shard, settings: ScanSettings, batcher: _Batcher, limit: int, need: int, checked: list[_Checked]
) -> list[_Checked]:
    """Fetch the ``need`` smallest-hash items above the first-pass limit: a rare re-read of a small shard."""
    extra = SmallestK(need)
    by_key: dict[str, tuple[int, str, str]] = {}
    for _f, item in _stream(shard, settings):
        if isinstance(item, Item):
            tech, _ = item_hashes(settings.seed, item.key)
            if tech >= limit:
                extra.add(tech, item.key)
    wanted = {key for _, key in extra.items()}
    for f, item in _stream(shard, settings):
        if isinstance(item, Item) and item.key in wanted:
            by_key[item.key] = (
                item_hashes(settings.seed, item.key)[0],
                _source_of(item, f.source, settings),
                item.text,
            )
    batcher.done = []
    for key, (h, source, text) in by_key.items():
        batcher.add(_Checked(h, key, source, len(text)), text)
    batcher.flush()
    return sorted(checked + batcher.done, key=lambda x: x.hash)


def _digest(keys: list[str]) -> str:
    import hashlib

    return hashlib.sha256("\n".join(keys).encode()).hexdigest()
