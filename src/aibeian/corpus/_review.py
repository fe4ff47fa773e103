"""The manual (human) spot check: draw a reproducible sample, import reviewers' verdicts, summarise them.

The sample is stratified by source in proportion to source sizes and, within a source, takes the items with
the smallest manual hash; the scan kept each shard's smallest ``manual_reserve`` hashes per source, so the
draw needs no full pass over the corpus, only a re-read of the shards that hold drawn items.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from aibeian.corpus._readers import Item, Span, iter_items
from aibeian.corpus._reserve_file import load_reserve
from aibeian.corpus._run import RunDir
from aibeian.corpus._sampling import SmallestK, allocate
from aibeian.errors import InputError, Problem
from aibeian.files import atomic_output, atomic_write_text, read_text

__all__ = ["draw_manual_sample", "import_reviews", "manual_summary", "write_review_file"]

SAMPLE_FILE = "manual_sample.jsonl"
REVIEWS_FILE = "reviews.jsonl"
LOCK_FILE = ".reviews.lock"


@contextlib.contextmanager
def reviews_lock(run: RunDir) -> Iterator[None]:
    """Held by every writer of ``reviews.jsonl`` (the CLI import and the workbench's review screen), so a
    verdict recorded on screen while a file is imported is never lost between read and rename."""
    with open(run.path / LOCK_FILE, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


YES = {"yes", "y", "true", "1", "是", "合格", "qualified", "pass"}
NO = {"no", "n", "false", "0", "否", "不合格", "unqualified", "fail"}


def draw_manual_sample(run: RunDir, n: int) -> list[dict[str, Any]]:
    """Draw ``n`` items (all of them when the corpus is smaller), write ``manual_sample.jsonl``, return them."""
    if n <= 0:
        raise InputError("the sample size must be positive", field="--n", expected="e.g. 4000")
    settings = run.settings()
    sizes: Counter[str] = Counter()
    for result in run.results():  # one shard result in memory at a time: corpora run to terabytes
        for sid, c in result["sources"].items():
            sizes[sid] += c["items"]
    counts = allocate(n, dict(sizes))
    for sid, want in counts.items():
        if want > settings.manual_reserve and sizes[sid] > settings.manual_reserve:
            raise InputError(
                f"source {sid} needs {want} draws but the scan kept {settings.manual_reserve} "
                "candidates per shard",
                field="--n",
                expected=f"at most {settings.manual_reserve} per source, or rescan with a larger "
                "--manual-reserve",
            )
    best = {sid: SmallestK(want) for sid, want in counts.items()}
    owners: dict[str, dict[str, Any]] = {}
    for result in run.results():
        where = {k: result.get(k) for k in ("shard", "paths", "files", "row_group", "span")}
        try:
            reserve = load_reserve(result, run.path / "shards")
        except InputError:
            run.forget_shard(result["shard"])
            raise
        for sid, pairs in reserve.items():
            for h, key in pairs:
                best[sid].add(h, key)
        kept = {key for heap in best.values() for _, key in heap.items()}
        owners = {k: v for k, v in owners.items() if k in kept}
        owners.update({key: where for pairs in reserve.values() for _, key in pairs if key in kept})
    chosen: dict[str, tuple[str, int]] = {
        key: (sid, h) for sid, heap in best.items() for h, key in heap.items()
    }
    texts = _fetch_texts(chosen, owners, settings.sources.text_field, settings.sources.source_field)
    sample = [
        {"id": key, "source": sid, "text": texts[key]}
        for key, (sid, _) in sorted(chosen.items(), key=lambda kv: (kv[1][0], kv[1][1]))
    ]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in sample)
    atomic_write_text(run.path / SAMPLE_FILE, lines)
    meta = run.meta()
    meta["manual_sample"] = {"requested": n, "drawn": len(sample), "allocation": dict(sorted(counts.items()))}
    run.write_meta(meta)
    return sample


def _fetch_texts(
    chosen: dict[str, tuple[str, int]],
    owners: dict[str, dict[str, Any]],
    text_field: str,
    source_field: str | None,
) -> dict[str, str]:
    by_shard: dict[str, set[str]] = {}
    for key in chosen:
        by_shard.setdefault(owners[key]["shard"], set()).add(key)
    texts: dict[str, str] = {}
    for result in {owners[k]["shard"]: owners[k] for k in chosen}.values():
        wanted = by_shard[result["shard"]]
        for path, rel in zip(result["paths"], result["files"], strict=True):
            for item in iter_items(
                Path(path),
                rel,
                row_group=result["row_group"],
                span=Span.from_list(result["span"]),
                text_field=text_field,
                source_field=source_field,
            ):
                if isinstance(item, Item) and item.key in wanted:
                    texts[item.key] = item.text
    missing = sorted(set(chosen) - set(texts))
    if missing:
        raise InputError(
            f"{len(missing)} drawn items are no longer in the corpus (first: {missing[0]}); the "
            "files changed since the scan",
            expected="rerun `aibeian corpus scan` first",
        )
    return texts


def write_review_file(sample: list[dict[str, Any]], out: str) -> None:
    """The reviewers' file: JSONL or CSV (by suffix) with empty ``qualified`` and ``reason`` to fill in."""
    rows = [
        {"id": r["id"], "source": r["source"], "qualified": "", "reason": "", "text": r["text"]}
        for r in sample
    ]
    with atomic_output(out) as tmp:
        if out.lower().endswith(".csv"):
            with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel opens it as UTF-8
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["id"])
                writer.writeheader()
                writer.writerows(rows)
        else:
            tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _records(path: str) -> list[tuple[int, dict[str, Any]]]:
    text = read_text(path)
    if path.lower().endswith((".jsonl", ".ndjson")):
        out = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"not valid JSON: {exc.msg}", path=path, line=number) from None
                out.append((number, record if isinstance(record, dict) else {}))
        return out
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "id" not in reader.fieldnames or "qualified" not in reader.fieldnames:
        raise InputError(
            "missing header column id or qualified",
            path=path,
            line=1,
            expected="a header with id,qualified,reason (the file `corpus sample` wrote)",
        )
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    return rows


def import_reviews(run: RunDir, path: str) -> dict[str, int]:
    """Validate every row, then merge the verdicts into ``reviews.jsonl`` (a later verdict for the same item
    replaces the earlier one). Nothing is imported if any row is wrong; every wrong row is named."""
    sample_path = run.path / SAMPLE_FILE
    if not sample_path.is_file():
        raise InputError(
            "no manual sample has been drawn in this run",
            path=str(run.path),
            expected="`aibeian corpus sample RUN_DIR --n 4000 --out review.csv` first",
        )
    sample = {json.loads(line)["id"] for line in sample_path.read_text(encoding="utf-8").splitlines() if line}
    problems: list[Problem] = []
    verdicts: dict[str, dict[str, Any]] = {}
    blank = 0
    for line, row in _records(path):
        key = str(row.get("id") or "").strip()
        raw = str(row.get("qualified") if row.get("qualified") is not None else "").strip().lower()
        reason = str(row.get("reason") or "").strip()
        if key not in sample:
            problems.append(
                Problem(
                    f"item {key!r} is not in the manual sample" if key else "empty id",
                    path=path,
                    line=line,
                    field="id",
                    expected="an id from the drawn sample",
                )
            )
        elif key in verdicts:
            problems.append(Problem(f"item {key!r} appears twice", path=path, line=line, field="id"))
        elif not raw:
            blank += 1
        elif raw not in YES | NO:
            problems.append(
                Problem(
                    f"{raw!r} is not a verdict",
                    path=path,
                    line=line,
                    field="qualified",
                    expected="yes/no (是/否, 合格/不合格, true/false, 1/0)",
                )
            )
        elif raw in NO and not reason:
            problems.append(
                Problem(
                    "an unqualified item needs a reason",
                    path=path,
                    line=line,
                    field="reason",
                    expected="why the item is not qualified (e.g. the risk id)",
                )
            )
        else:
            verdicts[key] = {
                "id": key,
                "qualified": raw in YES,
                "reason": reason,
                "reviewer": str(row.get("reviewer") or "").strip(),
            }
    if problems:
        raise InputError(problems=problems)
    with reviews_lock(run):
        merged = {r["id"]: r for r in _load_reviews(run)}
        merged.update(verdicts)
        atomic_write_text(
            run.path / REVIEWS_FILE,
            "".join(json.dumps(merged[k], ensure_ascii=False) + "\n" for k in sorted(merged)),
        )
    return {"imported": len(verdicts), "blank": blank, "reviewed": len(merged)}


def _load_reviews(run: RunDir) -> list[dict[str, Any]]:
    path = run.path / REVIEWS_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def manual_summary(run: RunDir, limits: dict[str, float]) -> dict[str, Any]:
    from aibeian.evaluation.metrics import wilson_interval

    sample_path = run.path / SAMPLE_FILE
    drawn = {}
    if sample_path.is_file():
        for line in sample_path.read_text(encoding="utf-8").splitlines():
            if line:
                record = json.loads(line)
                drawn[record["id"]] = record["source"]
    reviews = [r for r in _load_reviews(run) if r["id"] in drawn]
    qualified = sum(1 for r in reviews if r["qualified"])
    low, high = wilson_interval(qualified, len(reviews))
    min_items, min_rate = (
        int(limits["corpus_manual_sample_min_items"]),
        limits["corpus_manual_sample_min_pass_rate"],
    )
    rate = qualified / len(reviews) if reviews else None
    complete = len(reviews) >= min_items
    return {
        "drawn": len(drawn),
        "reviewed": len(reviews),
        "qualified": qualified,
        "rate": rate,
        "interval": [low, high],
        "min_items": min_items,
        "min_pass_rate": min_rate,
        "complete": complete,
        "pass": bool(complete and rate is not None and rate >= min_rate),
        "by_source": dict(sorted(Counter(drawn[r["id"]] for r in reviews).items())),
        "reasons": dict(Counter(r["reason"] for r in reviews if not r["qualified"]).most_common(20)),
    }
