"""Accuracy and speed of the offline refusal judge, on a development and a held-out split.

Sets: XSTest v2 (2,250 English completions, human labels; ../shared/data/external/xstest, read in place) and
our 1,936 Chinese answers in twelve writing batches (tests/evaluation/data; the last eight are the blind sets
A–H, each pair the exam of one version — A+B of version 2, C+D of 3, E+F of 4, G+H of 5 — all now fitted on).
The shipped weights are fitted on XSTest dev and all twelve batches (bench/_refusal_fit.py), so the honest
figures are XSTest held-out and, for Chinese, leave-one-batch-out: refit without a batch, score it. Peers in the
same run, on the same items: the XSTest authors' string-match classifier and GPT-4 as classifier (labels
published with XSTest). Speed: items/s of ``classify`` over all 2,250 XSTest answers, median of 5 runs.
``--exam`` also scores the unspent blind sets I and J (``chinese_exam``), never fitted on: the exam of
version 6; without it those files are not opened.

Run: ``.venv/bin/python bench/refusal_judge.py [--json] [--exam]``.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _refusal_fit
from _refusal_sets import (
    EXTERNAL,
    XSTEST_LABELS,
    XSTEST_MODELS,
    ZH_BLIND_FILES,
    Labelled,
    chinese,
    chinese_blind,
    chinese_exam,
    chinese_fresh,
    xstest,
)

from aibeian.evaluation._calibrate import calibration
from aibeian.evaluation.judges import REFUSAL_LABELS, classify
from aibeian.evaluation.judges._refusal_split import split_of

RUNS = 5


def _peer_labels() -> dict[str, dict[tuple[str, str], str]]:
    """(model, prompt id) → label, for the two classifiers published with XSTest."""
    out: dict[str, dict[tuple[str, str], str]] = {"string match": {}, "GPT-4": {}}
    folder = EXTERNAL / "xstest" / "evaluation" / "automated_evaluation_labels"
    for model in XSTEST_MODELS:
        for peer, suffix, column in (
            ("string match", "streval", "strmatch_label"),
            ("GPT-4", "gpteval", "gpt4_label"),
        ):
            with (folder / f"xstest_v2_completions_{model}_{suffix}.csv").open(
                encoding="utf-8", newline=""
            ) as f:
                for row in csv.DictReader(f):
                    out[peer][(model, row["id"])] = XSTEST_LABELS.get(row[column].strip(), "none")
    return out


def measure(pairs: Sequence[tuple[str, str | None]]) -> dict[str, Any]:
    return calibration(list(pairs), list(REFUSAL_LABELS))


def _row(name: str, result: dict[str, Any]) -> str:
    pc = result["per_class"]
    pr = " | ".join(f"{(pc[c]['precision'] or 0):.2f} / {(pc[c]['recall'] or 0):.2f}" for c in REFUSAL_LABELS)
    return f"| {name} | {result['n']} | {result['accuracy']:.3f} | {result['binary_accuracy']:.3f} | {pr} |"


def _confusion(name: str, result: dict[str, Any]) -> str:
    m = result["confusion"]
    cells = "; ".join(f"{g}: " + "/".join(str(m[g][p]) for p in REFUSAL_LABELS) for g in REFUSAL_LABELS)
    return f"- {name} (rows human, columns judge refusal/partial/compliance): {cells}"


def main(argv: list[str]) -> int:
    xs, zh, fresh, blind = xstest(), chinese(), chinese_fresh(), chinese_blind()
    exam = chinese_exam() if "--exam" in argv else []
    predicted = {id(r): classify(r.response, r.prompt)[0] for r in xs + zh + fresh + blind + exam}
    peers = _peer_labels()
    results: dict[str, dict[str, Any]] = {}

    def add(name: str, rows: Sequence[Labelled]) -> None:
        results[name] = measure([(r.label, predicted[id(r)]) for r in rows])

    for split in ("dev", "heldout"):
        add(f"XSTest {split}", [r for r in xs if r.split == split])
    add("XSTest all", xs)
    zh_all = zh + fresh + blind
    for batch in _refusal_fit.BATCHES:
        add(f"Chinese {batch} (fitted on)", [r for r in zh_all if r.batch == batch])
    data = _refusal_fit.load()
    _, cv = _refusal_fit.cross_validate(data)
    out_of_batch = {(r.batch, r.id): REFUSAL_LABELS[p] for r, p in zip(data.rows, cv, strict=True) if p >= 0}
    for batch in _refusal_fit.BATCHES:
        results[f"Chinese {batch}, left out"] = measure(
            [(r.label, out_of_batch[(r.batch, r.id)]) for r in zh_all if r.batch == batch]
        )
    results["Chinese pooled, each batch left out"] = measure(
        [(r.label, out_of_batch[(r.batch, r.id)]) for r in zh_all]
    )
    results["Chinese blind A–H, each left out"] = measure(
        [(r.label, out_of_batch[(r.batch, r.id)]) for r in blind]
    )
    results["Chinese four older batches, each left out"] = measure(
        [(r.label, out_of_batch[(r.batch, r.id)]) for r in zh_all if r.batch not in ZH_BLIND_FILES]
    )
    if exam:
        add("Chinese blind I+J (exam: never fitted on)", exam)
    for name in sorted({r.batch for r in exam}):
        add(f"Chinese exam {name}", [r for r in exam if r.batch == name])
    for peer, labels in peers.items():
        for split in ("dev", "heldout"):
            rows = [r for r in xs if r.split == split]
            results[f"peer {peer}, XSTest {split}"] = measure(
                [(r.label, labels[(r.source.split(":")[1], r.id)]) for r in rows]
            )
    for model in XSTEST_MODELS:
        add(
            f"XSTest heldout, {model}",
            [r for r in xs if r.split == "heldout" and r.source == f"xstest:{model}"],
        )

    texts = [(r.response, r.prompt) for r in xs]
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for response, prompt in texts:
            classify(response, prompt)
        timings.append(time.perf_counter() - start)
    rate = len(texts) / statistics.median(timings)

    if "--json" in argv:
        print(json.dumps({"results": results, "items_per_second": rate}, ensure_ascii=False, indent=1))
        return 0
    print("| set | n | 3-way accuracy | binary accuracy | refusal P / R | partial P / R | compliance P / R |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, result in results.items():
        print(_row(name, result))
    print()
    for name in (
        "XSTest dev",
        "XSTest heldout",
        *(f"Chinese {batch}, left out" for batch in _refusal_fit.BATCHES),
        "Chinese pooled, each batch left out",
        "Chinese blind A–H, each left out",
    ):
        print(_confusion(name, results[name]))
    print(
        f"\nspeed: {rate:,.0f} answers/s (median of {RUNS} runs over {len(texts)} XSTest answers, one process; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(f"split check: v2-1 → {split_of('v2-1')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
