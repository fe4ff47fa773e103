"""Fit the refusal judge's weights and report how well the fit carries to a writing batch it never saw.

Run: ``.venv/bin/python bench/_refusal_fit.py [--cv-only] [--errors]``. A multinomial logistic regression
(numpy, L2) over the features of ``_refusal_features``: a hundred named, readable numbers, and for Chinese
answers 3 × 1,024 hashed character 1–3-gram buckets (opening clauses, clauses around the first refusal, the
rest) with their own L2 penalty — a learned lexical component, so new refusal wording is picked up from the
labels rather than from phrases hand-written after reading errors. Deterministic: plain gradient descent from
zero, fixed iterations.

Why leave-one-batch-out: each Chinese file was written in one sitting by one writer, and answers written
together share turns of phrase. A random split puts siblings on both sides, so it flatters the judge (0.95 on
the split, 0.69 on the next batch written). The honest question is "how does it do on answers written
later, by someone else?", so the model-selection criterion is: fit on XSTest dev + nine of the ten Chinese
batches, score the tenth; report each batch and the pooled figure, watching the six blind batches (A: long
structured answers, B: short colloquial ones, C: smaller open models and enterprise bots, D: frontier-style
assistants that turn to the underlying need, E: everyday apps, F: reasoning, RAG and agent answers — styles
no other batch has, the nearest thing to an unseen writer); XSTest held-out stays the English check.
The shipped weights are then fitted on XSTest dev + all ten Chinese batches (XSTest held-out is never
fitted on). ``--errors`` prints the cross-validated mistakes for error analysis.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _refusal_sets import (
    ROOT,
    ZH_BLIND_FILES,
    ZH_FRESH_FILE,
    ZH_SPLIT_FILES,
    Labelled,
    chinese,
    chinese_blind,
    chinese_fresh,
    xstest,
)

from aibeian.evaluation.judges._base import REFUSAL_LABELS
from aibeian.evaluation.judges._refusal import VERSION, feature_vector
from aibeian.evaluation.judges._refusal_features import NGRAM_BUCKETS, NGRAM_MAX, NGRAM_NAMES, NGRAM_REGIONS

OUT = ROOT / "src" / "aibeian" / "evaluation" / "judges" / "refusal_weights.json"
BATCHES = (*ZH_SPLIT_FILES, ZH_FRESH_FILE, *ZH_BLIND_FILES)
L2 = 1.0
L2_NGRAM = 1.0  # the n-gram block's own penalty, chosen by the six blind folds (see docs/evaluation.md)
ITERATIONS = 3000
STEP = 0.5
ZH_WEIGHT = 2.0
PARTIAL_WEIGHT = 1.5


@dataclass
class Data:
    rows: list[Labelled]
    names: list[str]  # the named features (``x``), then the n-gram buckets (``g``)
    x: np.ndarray
    y: np.ndarray
    g: np.ndarray  # n-gram block, float32, one row per Chinese answer (English answers have none)
    g_rows: np.ndarray  # the row of ``g`` of each item, -1 for none


def load() -> Data:
    rows = xstest() + chinese() + chinese_fresh() + chinese_blind()
    vectors = [feature_vector(r.response, r.prompt) for r in rows]
    named = [n for n in vectors[0] if not n.startswith("ng.")]
    if named[0] != "bias":
        raise SystemExit("the first feature must be the bias")
    x = np.array([[v[n] for n in named] for v in vectors])
    y = np.array([REFUSAL_LABELS.index(r.label) for r in rows])
    column = {n: j for j, n in enumerate(NGRAM_NAMES)}
    with_ngrams = [i for i, v in enumerate(vectors) if any(n.startswith("ng.") for n in v)]
    g = np.zeros((len(with_ngrams), len(NGRAM_NAMES)), dtype=np.float32)
    g_rows = np.full(len(rows), -1)
    for k, i in enumerate(with_ngrams):
        g_rows[i] = k
        for n, v in vectors[i].items():
            if n.startswith("ng."):
                g[k, column[n]] = v
    return Data(rows, [*named, *NGRAM_NAMES], x, y, g, g_rows)


@dataclass
class Weights:
    named: np.ndarray
    ngram: np.ndarray


def fit(data: Data, rows: np.ndarray, w: np.ndarray) -> Weights:
    """Gradient descent on the training ``rows``: the named features with ``L2`` (bias not shrunk), the
    n-gram block with ``L2_NGRAM``."""
    x, y = data.x[rows], data.y[rows]
    local = np.flatnonzero(data.g_rows[rows] >= 0)
    g = data.g[data.g_rows[rows][local]]
    n = len(rows)
    named = np.zeros((x.shape[1], len(REFUSAL_LABELS)))
    ngram = np.zeros((g.shape[1], len(REFUSAL_LABELS)), dtype=np.float32)
    onehot = np.eye(len(REFUSAL_LABELS))[y]
    for _ in range(ITERATIONS):
        z = x @ named
        z[local] += g @ ngram
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        residual = (p - onehot) * w[:, None] / w.sum()
        grad = x.T @ residual + L2 * named / n
        grad[0] -= L2 * named[0] / n  # the bias is not shrunk
        named -= STEP * grad
        ngram -= (STEP * (g.T @ residual[local].astype(np.float32) + L2_NGRAM * ngram / n)).astype(np.float32)
    return Weights(named, ngram)


def predict(data: Data, weights: Weights, rows: np.ndarray) -> np.ndarray:
    z = data.x[rows] @ weights.named
    local = np.flatnonzero(data.g_rows[rows] >= 0)
    z[local] += data.g[data.g_rows[rows][local]] @ weights.ngram
    result: np.ndarray = z.argmax(axis=1)
    return result


def sample_weights(rows: Sequence[Labelled]) -> np.ndarray:
    """Chinese items count ``ZH_WEIGHT`` times, so the smaller Chinese set is not drowned by XSTest;
    partial refusals ``PARTIAL_WEIGHT`` times, the rarest label (8 % of XSTest) and the costliest to miss
    (a partial passed as a refusal flatters the should-refuse rate)."""
    return np.array(
        [
            (1.0 if r.source.startswith("xstest") else ZH_WEIGHT)
            * (PARTIAL_WEIGHT if r.label == "partial" else 1.0)
            for r in rows
        ]
    )


def train_mask(data: Data, held_batch: str | None) -> np.ndarray:
    """XSTest dev and every Chinese batch but ``held_batch``."""
    return np.array(
        [r.split == "dev" if r.source.startswith("xstest") else r.batch != held_batch for r in data.rows]
    )


def fit_on(data: Data, mask: np.ndarray) -> Weights:
    rows = [r for r, m in zip(data.rows, mask, strict=True) if m]
    return fit(data, np.flatnonzero(mask), sample_weights(rows))


def accuracy(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """3-way accuracy, binary accuracy (refused = refusal or partial), partial recall."""
    compliance = REFUSAL_LABELS.index("compliance")
    partial = y == REFUSAL_LABELS.index("partial")
    return (
        float((y == pred).mean()),
        float(((y == compliance) == (pred == compliance)).mean()),
        float((pred[partial] == y[partial]).mean()) if partial.any() else float("nan"),
    )


def cross_validate(data: Data) -> tuple[dict[str, tuple[float, float, float, int]], np.ndarray]:
    """Leave one Chinese batch out: per batch and pooled (3-way, binary, partial recall, n), and the
    out-of-batch prediction of every Chinese item (-1 for XSTest)."""
    pred = np.full(len(data.rows), -1)
    out: dict[str, tuple[float, float, float, int]] = {}
    for batch in BATCHES:
        weights = fit_on(data, train_mask(data, batch))
        test = np.array([r.batch == batch for r in data.rows])
        pred[test] = predict(data, weights, np.flatnonzero(test))
        out[batch] = (*accuracy(data.y[test], pred[test]), int(test.sum()))
    zh = pred >= 0
    out["pooled"] = (*accuracy(data.y[zh], pred[zh]), int(zh.sum()))
    return out, pred


def xstest_heldout(data: Data, weights: Weights) -> tuple[float, float, float, int]:
    test = np.array([r.source.startswith("xstest") and r.split == "heldout" for r in data.rows])
    return (*accuracy(data.y[test], predict(data, weights, np.flatnonzero(test))), int(test.sum()))


def report(data: Data, weights: Weights) -> np.ndarray:
    cv, pred = cross_validate(data)
    print("| left out (fit on XSTest dev + the other batches) | n | 3-way | binary | partial recall |")
    print("|---|---:|---:|---:|---:|")
    for name, (acc, binary, partial, n) in cv.items():
        print(f"| {name} | {n} | {acc:.3f} | {binary:.3f} | {partial:.2f} |")
    acc, binary, partial, n = xstest_heldout(data, weights)
    print(f"| XSTest held-out (shipped weights) | {n} | {acc:.3f} | {binary:.3f} | {partial:.2f} |")
    return pred


def _errors(data: Data, pred: np.ndarray) -> None:
    for r, p in zip(data.rows, pred, strict=True):
        if p >= 0 and REFUSAL_LABELS[p] != r.label:
            print(
                f"\n[{r.batch} {r.id}] human {r.label} → judge {REFUSAL_LABELS[p]}\nQ: {r.prompt}\nA: {r.response}"
            )


def write(data: Data, weights: Weights, mask: np.ndarray) -> None:
    rows = [r for r, m in zip(data.rows, mask, strict=True) if m]
    meta = {
        "judge_version": VERSION,
        "model": "multinomial logistic regression over named features and hashed character n-grams (Chinese)",
        "classes": list(REFUSAL_LABELS),
        "fitted_on": {
            "split": "dev of XSTest (aibeian.evaluation.judges._refusal_split, seed aibeian-refusal-split/1)"
            f" + all {len(BATCHES)} Chinese writing batches",
            "xstest_items": sum(r.source.startswith("xstest") for r in rows),
            "zh_items": sum(not r.source.startswith("xstest") for r in rows),
            "l2": L2,
            "l2_ngram": L2_NGRAM,
            "iterations": ITERATIONS,
            "zh_weight": ZH_WEIGHT,
            "partial_weight": PARTIAL_WEIGHT,
            "date": datetime.now(UTC).date().isoformat(),
        },
        "ngram": {
            "regions": list(NGRAM_REGIONS),
            "buckets": NGRAM_BUCKETS,
            "max_n": NGRAM_MAX,
            "hash": "zlib.crc32 of the UTF-8 n-gram, modulo buckets",
        },
    }
    head = json.dumps(meta, ensure_ascii=False, indent=1)[:-2]
    table = np.vstack([weights.named, weights.ngram.astype(np.float64)])
    lines = ",\n".join(
        f"  {json.dumps(n)}: {json.dumps([round(float(v), 5) for v in table[i]])}"
        for i, n in enumerate(data.names)
    )
    OUT.write_text(f'{head},\n "weights": {{\n{lines}\n }}\n}}\n', encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} items, {len(data.names)} features)")


def main(argv: list[str]) -> int:
    data = load()
    mask = train_mask(data, None)
    weights = fit_on(data, mask)
    pred = report(data, weights)
    if "--errors" in argv:
        _errors(data, pred)
    if "--cv-only" not in argv:
        write(data, weights, mask)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
