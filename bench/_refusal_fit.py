"""Fit the refusal judge's weights on the development split only; writes ``refusal_weights.json``.

Run: ``.venv/bin/python bench/_refusal_fit.py``. A multinomial logistic regression (numpy, L2) over the
features of ``_refusal_features`` — a few dozen named, readable numbers, not a bag of words — so the fitted
judge stays explainable and cannot memorise test items. Only items whose id hashes to ``dev`` are read;
Chinese items count double so the smaller Chinese set is not drowned by XSTest. Deterministic: plain
gradient descent from zero, fixed iterations.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _refusal_sets import ROOT, Labelled, chinese, xstest

from aibeian.evaluation.judges._base import REFUSAL_LABELS
from aibeian.evaluation.judges._refusal import VERSION, feature_vector

OUT = ROOT / "src" / "aibeian" / "evaluation" / "judges" / "refusal_weights.json"
L2 = 1.0
ITERATIONS = 3000
STEP = 0.5
ZH_WEIGHT = 2.0


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    n, d = x.shape
    weights = np.zeros((d, len(REFUSAL_LABELS)))
    onehot = np.eye(len(REFUSAL_LABELS))[y]
    for _ in range(ITERATIONS):
        z = x @ weights
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ ((p - onehot) * w[:, None]) / w.sum() + L2 * weights / n
        grad[0] -= L2 * weights[0] / n  # the bias is not shrunk
        weights -= STEP * grad
    return weights


def main() -> int:
    rows: list[Labelled] = [r for r in xstest() + chinese() if r.split == "dev"]
    vectors = [feature_vector(r.response, r.prompt) for r in rows]
    names = list(vectors[0])
    if names[0] != "bias":
        raise SystemExit("the first feature must be the bias")
    x = np.array([[v[n] for n in names] for v in vectors])
    y = np.array([REFUSAL_LABELS.index(r.label) for r in rows])
    w = np.array([ZH_WEIGHT if r.source == "zh" else 1.0 for r in rows])
    weights = fit(x, y, w)
    data = {
        "judge_version": VERSION,
        "model": "multinomial logistic regression over named features",
        "classes": list(REFUSAL_LABELS),
        "fitted_on": {
            "split": "dev (aibeian.evaluation.judges._refusal_split, seed aibeian-refusal-split/1)",
            "xstest_items": sum(r.source.startswith("xstest") for r in rows),
            "zh_items": sum(r.source == "zh" for r in rows),
            "l2": L2,
            "iterations": ITERATIONS,
            "zh_weight": ZH_WEIGHT,
            "date": datetime.now(UTC).date().isoformat(),
        },
        "weights": {n: [round(float(v), 5) for v in weights[i]] for i, n in enumerate(names)},
    }
    head = json.dumps({k: v for k, v in data.items() if k != "weights"}, ensure_ascii=False, indent=1)[:-2]
    lines = ",\n".join(f"  {json.dumps(n)}: {json.dumps(v)}" for n, v in data["weights"].items())  # type: ignore[union-attr]
    OUT.write_text(f'{head},\n "weights": {{\n{lines}\n }}\n}}\n', encoding="utf-8")
    print(f"wrote {OUT} ({len(rows)} dev items, {len(names)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
