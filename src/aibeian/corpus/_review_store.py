"""One reviewer verdict at a time, for the workbench's manual-review screen, in the run directory itself.

``import_reviews`` merges a whole reviewers' file; a screen records one verdict per key press. Both write
the same ``reviews.jsonl`` (one *primary* verdict per item: the one ``manual_summary`` and ``corpus report``
count), so the CLI report sees what was reviewed on the screen. Every verdict of every reviewer is also
appended to ``review_log.jsonl``: that log is the record of who said what when, and it holds the second
reviewer's verdicts, from which the two-reviewer agreement (rate and Cohen's kappa) is computed.

The primary verdict of an item belongs to its first reviewer (whoever's verdict is in ``reviews.jsonl``,
including one imported from a file); a different reviewer's verdict on the same item is a second review and
only goes to the log. Writes are serialised by a lock file, so two reviewers saving at the same moment
cannot lose each other's verdicts; ``reviews.jsonl`` is replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibeian.corpus._review import REVIEWS_FILE, SAMPLE_FILE, reviews_lock
from aibeian.corpus._run import RunDir
from aibeian.errors import InputError
from aibeian.files import atomic_write_text

__all__ = [
    "CLAIM_SECONDS",
    "LOG_FILE",
    "Agreement",
    "ReviewState",
    "agreement",
    "claim",
    "claimed_by_others",
    "load_sample",
    "record_verdict",
    "review_state",
]

LOG_FILE = "review_log.jsonl"
CLAIMS_FILE = "review_claims.json"
CLAIM_SECONDS = 600
"""How long an item shown to one reviewer is skipped for the others, so two reviewers working through the
same pass at once do not judge the same items (a soft hint: nothing stops a verdict on a claimed item)."""

_SAMPLES: dict[Path, tuple[tuple[int, int], list[dict[str, Any]]]] = {}
_CACHE_LOCK = threading.Lock()


def load_sample(run: RunDir) -> list[dict[str, Any]]:
    """The drawn manual sample in its file order (cached until the file changes: 4,000 texts are read
    once, not on every key press)."""
    path = run.path / SAMPLE_FILE
    if not path.is_file():
        raise InputError(
            "no manual sample has been drawn in this run / 此运行尚未抽取人工抽检样本",
            path=str(run.path),
            expected="`aibeian corpus sample RUN_DIR --out review.csv` first",
        )
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns)
    with _CACHE_LOCK:
        cached = _SAMPLES.get(path)
        if cached and cached[0] == key:
            return cached[1]
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON: {exc.msg}", path=str(path), line=number) from None
    with _CACHE_LOCK:
        _SAMPLES[path] = (key, records)
    return records


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a JSONL file; a torn last line (a crash mid-append) is skipped, not fatal."""
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "id" in record:
            out.append(record)
    return out


def record_verdict(
    run: RunDir,
    *,
    item_id: str,
    qualified: bool,
    reason: str = "",
    reviewer: str,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """Record ``reviewer``'s verdict on one sampled item; returns it with ``primary`` (whether it is the
    verdict the report counts). An unqualified item needs a reason, as in ``import_reviews``."""
    reason = reason.strip()
    reviewer = reviewer.strip()
    if not reviewer:
        raise InputError(
            "the reviewer is not named / 未指明审核人", field="reviewer", expected="the reviewer's user name"
        )
    if not qualified and not reason:
        raise InputError(
            "an unqualified item needs a reason / 不合格须填写原因",
            field="reason",
            expected="why the item is not qualified (e.g. the risk id)",
        )
    if item_id not in {r["id"] for r in load_sample(run)}:
        raise InputError(
            f"item {item_id!r} is not in the manual sample / 该条目不在人工抽检样本中",
            field="id",
            expected="an id from the drawn sample",
        )
    when = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    verdict = {"id": item_id, "qualified": qualified, "reason": reason, "reviewer": reviewer, "at": when}
    with reviews_lock(run):
        primary = {r["id"]: r for r in _read_jsonl(run.path / REVIEWS_FILE)}
        current = primary.get(item_id)
        is_primary = current is None or str(current.get("reviewer") or "") == reviewer
        with open(run.path / LOG_FILE, "a", encoding="utf-8") as log:
            log.write(json.dumps({**verdict, "primary": is_primary}, ensure_ascii=False) + "\n")
            log.flush()
            os.fsync(log.fileno())
        claims_path = run.path / CLAIMS_FILE
        if claims_path.is_file():  # judged: no longer on anyone's screen
            claims = _read_claims(run, dt.datetime.now(dt.UTC))
            if claims.pop(item_id, None) is not None:
                atomic_write_text(claims_path, json.dumps(claims, ensure_ascii=False) + "\n")
        if is_primary:
            primary[item_id] = verdict
            atomic_write_text(
                run.path / REVIEWS_FILE,
                "".join(json.dumps(primary[k], ensure_ascii=False) + "\n" for k in sorted(primary)),
            )
    return {**verdict, "primary": is_primary}


@dataclass(frozen=True)
class ReviewState:
    """Per item: the primary verdict (what the report counts) and each reviewer's latest verdict."""

    primary: dict[str, dict[str, Any]]
    by_reviewer: dict[str, dict[str, dict[str, Any]]]  # item id → reviewer → verdict

    def second(self, item_id: str) -> dict[str, Any] | None:
        """The latest verdict on the item by a reviewer other than the primary one (the earliest such
        reviewer, if several)."""
        first = self.primary.get(item_id)
        owner = str(first.get("reviewer") or "") if first else None
        for name, verdict in self.by_reviewer.get(item_id, {}).items():
            if first is not None and name != owner:
                return verdict
        return None

    def reviewed_by(self, item_id: str, reviewer: str) -> dict[str, Any] | None:
        first = self.primary.get(item_id)
        if first is not None and str(first.get("reviewer") or "") == reviewer:
            return first
        return self.by_reviewer.get(item_id, {}).get(reviewer)


def review_state(run: RunDir) -> ReviewState:
    """The run's verdicts: ``reviews.jsonl`` (primary, imported or recorded) plus the log."""
    primary = {r["id"]: r for r in _read_jsonl(run.path / REVIEWS_FILE)}
    by_reviewer: dict[str, dict[str, dict[str, Any]]] = {}
    for record in _read_jsonl(run.path / LOG_FILE):
        # assigning to an existing key keeps its place: reviewers stay in the order they first answered,
        # each with their latest verdict
        by_reviewer.setdefault(str(record["id"]), {})[str(record.get("reviewer") or "")] = record
    return ReviewState(primary, by_reviewer)


@dataclass(frozen=True)
class Agreement:
    """Two-reviewer agreement over the items that have a primary and a second verdict."""

    pairs: int
    agree: int
    rate: float | None
    kappa: float | None  # Cohen's kappa, first verdict vs second; None when undefined (no pairs, or p_e = 1)

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": self.pairs, "agree": self.agree, "rate": self.rate, "kappa": self.kappa}


def agreement(state: ReviewState) -> Agreement:
    """Observed agreement and Cohen's kappa between each item's primary and second verdict.

    The two "raters" are positions (first and second reviewer of an item), not fixed people: with a team
    the pairs vary from item to item, and this is the usual reading of kappa for such double coding."""
    first: list[bool] = []
    second: list[bool] = []
    for item_id, verdict in state.primary.items():
        other = state.second(item_id)
        if other is not None:
            first.append(bool(verdict["qualified"]))
            second.append(bool(other["qualified"]))
    n = len(first)
    if not n:
        return Agreement(0, 0, None, None)
    agree = sum(1 for a, b in zip(first, second, strict=True) if a == b)
    p_o = agree / n
    p1, p2 = sum(first) / n, sum(second) / n
    p_e = p1 * p2 + (1 - p1) * (1 - p2)
    kappa = None if p_e >= 1 else (p_o - p_e) / (1 - p_e)
    return Agreement(n, agree, p_o, kappa)


def _read_claims(run: RunDir, now: dt.datetime) -> dict[str, dict[str, str]]:
    path = run.path / CLAIMS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError):
        return {}  # a damaged hint file is only a lost hint
    fresh = {}
    for item_id, c in data.items() if isinstance(data, dict) else ():
        try:
            at = dt.datetime.fromisoformat(str(c["at"]))
        except (KeyError, TypeError, ValueError):
            continue
        if (now - at).total_seconds() < CLAIM_SECONDS:
            fresh[str(item_id)] = {"reviewer": str(c.get("reviewer", "")), "at": at.isoformat()}
    return fresh


def claim(run: RunDir, *, item_id: str, reviewer: str, now: dt.datetime | None = None) -> None:
    """Note that ``reviewer`` has ``item_id`` on screen (expired claims are dropped on the way)."""
    now = now or dt.datetime.now(dt.UTC)
    with reviews_lock(run):
        claims = _read_claims(run, now)
        claims[item_id] = {"reviewer": reviewer, "at": now.isoformat()}
        atomic_write_text(run.path / CLAIMS_FILE, json.dumps(claims, ensure_ascii=False) + "\n")


def claimed_by_others(run: RunDir, reviewer: str, now: dt.datetime | None = None) -> set[str]:
    """Items another reviewer has had on screen within the last ``CLAIM_SECONDS``."""
    claims = _read_claims(run, now or dt.datetime.now(dt.UTC))
    return {item_id for item_id, c in claims.items() if c["reviewer"] != reviewer}
