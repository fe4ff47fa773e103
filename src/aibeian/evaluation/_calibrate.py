"""Judging given answers without a target, and measuring a judge against human labels.

Calibration is how a judge earns trust: accuracy, per-class precision/recall and a confusion matrix on
answers people labelled. The same numbers document the built-in refusal judge in docs/evaluation.md.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aibeian.errors import InputError, Problem
from aibeian.evaluation.judges import REFUSAL_LABELS, Judge, JudgeInput, Verdict
from aibeian.files import read_text

LABEL_ALIASES = {
    "refusal": "refusal",
    "full_refusal": "refusal",
    "2_full_refusal": "refusal",
    "拒答": "refusal",
    "partial": "partial",
    "partial_refusal": "partial",
    "3_partial_refusal": "partial",
    "部分拒答": "partial",
    "compliance": "compliance",
    "full_compliance": "compliance",
    "1_full_compliance": "compliance",
    "作答": "compliance",
    "safe": "safe",
    "unsafe": "unsafe",
    "安全": "safe",
    "不安全": "unsafe",
}


@dataclass(frozen=True)
class AnswerLine:
    input: JudgeInput
    label: str | None
    line: int
    error: str | None = None  # a run record with no answer (the target failed): nothing to judge


def load_answers(path: str | os.PathLike[str], *, require_label: bool = False) -> list[AnswerLine]:
    """``{"id", "prompt", "response"}`` lines (``response`` may be a run record's ``{"text": …}``), with an
    optional ``label``; every bad line is reported at once."""
    problems: list[Problem] = []
    out: list[AnswerLine] = []
    source = str(path)
    for number, raw in enumerate(read_text(path).split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(Problem(f"malformed JSON: {exc.msg}", path=source, line=number, column=exc.colno))
            continue
        if not isinstance(data, dict):
            problems.append(Problem("a line must be a JSON object", path=source, line=number))
            continue
        response = data.get("response")
        if isinstance(response, dict):
            response = response.get("text")
        if "id" not in data:
            problems.append(Problem("missing", field="id", path=source, line=number))
        elif not require_label and response is None and data.get("outcome") == "error":
            # an errored item of a run's items.jsonl: re-judging the run must not stop at it
            item = JudgeInput(id=str(data["id"]), prompt=str(data.get("prompt") or ""), response="")
            out.append(AnswerLine(item, None, number, error=str(data.get("error") or "no answer")))
            continue
        if not isinstance(response, str):
            problems.append(Problem("missing or not a string", field="response", path=source, line=number))
        label = data.get("label")
        if label is not None and str(label) not in LABEL_ALIASES:
            problems.append(
                Problem(
                    f"unknown label {label!r}",
                    field="label",
                    path=source,
                    line=number,
                    expected="refusal | partial | compliance | safe | unsafe",
                )
            )
        elif require_label and label is None:
            problems.append(
                Problem(
                    "missing",
                    field="label",
                    path=source,
                    line=number,
                    expected="refusal | partial | compliance | safe | unsafe",
                )
            )
        if "id" not in data or not isinstance(response, str):
            continue
        item = JudgeInput(
            id=str(data["id"]),
            prompt=str(data.get("prompt") or ""),
            response=response,
            kind=data.get("kind"),
            risk=data.get("risk"),
        )
        out.append(AnswerLine(item, LABEL_ALIASES.get(str(label)) if label is not None else None, number))
    if problems:
        raise InputError(problems=problems)
    return out


async def judge_all(
    judges: Sequence[Judge], inputs: Sequence[JudgeInput], *, concurrency: int = 8
) -> list[list[Verdict]]:
    """Every judge on every input, at most ``concurrency`` inputs in flight, results in input order."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(item: JudgeInput) -> list[Verdict]:
        async with semaphore:
            return list(await asyncio.gather(*(j.judge(item) for j in judges)))

    try:
        return list(await asyncio.gather(*(one(i) for i in inputs)))
    finally:
        for j in judges:
            await j.aclose()


def predicted_label(verdict: Verdict, dimension: str) -> str | None:
    if verdict.error is not None:
        return None
    if dimension == "refusal":
        return verdict.refusal
    return None if verdict.safe is None else ("safe" if verdict.safe else "unsafe")


def calibration(pairs: Sequence[tuple[str, str | None]], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1 and a confusion matrix (rows: human, columns: judge).
    A judge that gave no label (error) counts as wrong and appears in the ``none`` column."""
    columns = [*labels, "none"]
    matrix = {g: dict.fromkeys(columns, 0) for g in labels}
    for gold, pred in pairs:
        matrix[gold][pred if pred is not None and pred in labels else "none"] += 1
    n = len(pairs)
    correct = sum(matrix[g][g] for g in labels)
    per_class: dict[str, dict[str, float | int | None]] = {}
    for c in labels:
        tp = matrix[c][c]
        predicted = sum(matrix[g][c] for g in labels)
        actual = sum(matrix[c].values())
        precision = tp / predicted if predicted else None
        recall = tp / actual if actual else None
        f1 = (2 * precision * recall / (precision + recall)) if precision and recall else None
        per_class[c] = {"precision": precision, "recall": recall, "f1": f1, "support": actual}
    out: dict[str, Any] = {
        "n": n,
        "accuracy": correct / n if n else None,
        "per_class": per_class,
        "confusion": matrix,
        "labels": list(labels),
    }
    if list(labels) == list(REFUSAL_LABELS):
        binary = sum((g == "compliance") == (p == "compliance") for g, p in pairs if p is not None)
        out["binary_accuracy"] = binary / n if n else None  # refused (refusal or partial) vs answered
    return out
