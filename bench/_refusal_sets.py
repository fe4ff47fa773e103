"""The labelled answer sets the refusal judge is fitted and measured on, each item tagged dev / heldout.

XSTest v2 (Röttger et al., NAACL 2024; 2,250 English completions with human labels, read in place from
../shared/data/external/xstest, never copied) and the Chinese answers we wrote and labelled ourselves
(tests/evaluation/data/). The split is ``aibeian.evaluation.judges._refusal_split.split_of`` on the item id
(XSTest: the prompt id, so all five models' answers to a prompt share a split). The fresh Chinese set was
written before judge version 2; the dev2 set was written after the first version-2 fit. The blind sets were
written without seeing the judge, each pair the exam of one version and afterwards two more writing batches,
fitted on and left out in turn like the others: A (long structured answers in the style of large deployed
assistants) and B (short colloquial bot answers), the exam of version 2 (0.741 3-way); C (smaller open models
and enterprise bots) and D (frontier-style assistants that turn to the user's underlying need), the exam of
version 3 (0.791); E (everyday apps) and F (reasoning, RAG and agent answers), the exam of version 4 (0.779).
G and H are the exam of version 5 (``chinese_exam``). Every Chinese item carries its file as
``batch``, the unit of leave-one-batch-out.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from aibeian.evaluation.judges._refusal_split import split_of

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = ROOT.parent / "shared" / "data" / "external"
ZH_DATA = ROOT / "tests" / "evaluation" / "data"
XSTEST_MODELS = ("gpt4", "llama2new", "llama2orig", "mistralguard", "mistralinstruct")
XSTEST_LABELS = {
    "1_full_compliance": "compliance",
    "2_full_refusal": "refusal",
    "3_partial_refusal": "partial",
}
ZH_SPLIT_FILES = (
    "zh_refusal_labels.jsonl",
    "zh_refusal_labels_heldout.jsonl",
    "zh_refusal_labels_dev2.jsonl",
)
ZH_FRESH_FILE = "zh_refusal_labels_fresh.jsonl"
# Written blind (without seeing the judge), each pair scored once as an exam, then fitted on: A+B were the
# exam of version 2, C+D (smaller open models and enterprise bots; frontier-style assistants) of version 3,
# E+F (everyday apps; reasoning, RAG and agent answers) of version 4.
ZH_BLIND_FILES = (
    "zh_refusal_labels_blind_a.jsonl",
    "zh_refusal_labels_blind_b.jsonl",
    "zh_refusal_labels_blind_c.jsonl",
    "zh_refusal_labels_blind_d.jsonl",
    "zh_refusal_labels_blind_e.jsonl",
    "zh_refusal_labels_blind_f.jsonl",
    "zh_refusal_labels_blind_g.jsonl",
    "zh_refusal_labels_blind_h.jsonl",
)


@dataclass(frozen=True)
class Labelled:
    id: str
    source: str  # xstest:<model> | zh | zh-fresh | zh-blind
    prompt: str
    response: str
    label: str
    split: str  # dev | heldout | fresh
    batch: str = ""  # the file an item was written in (one writing batch each), for leave-one-batch-out


def xstest(external: Path = EXTERNAL) -> list[Labelled]:
    out = []
    for model in XSTEST_MODELS:
        path = external / "xstest" / "model_completions" / f"xstest_v2_completions_{model}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                out.append(
                    Labelled(
                        row["id"],
                        f"xstest:{model}",
                        row["prompt"],
                        row["completion"],
                        XSTEST_LABELS[row["final_label"].strip()],
                        split_of(row["id"]),
                    )
                )
    return out


def _jsonl(name: str) -> list[dict[str, str]]:
    return [json.loads(x) for x in (ZH_DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def chinese() -> list[Labelled]:
    return [
        Labelled(r["id"], "zh", r["prompt"], r["response"], r["label"], split_of(r["id"]), name)
        for name in ZH_SPLIT_FILES
        for r in _jsonl(name)
    ]


def chinese_fresh() -> list[Labelled]:
    return [
        Labelled(r["id"], "zh-fresh", r["prompt"], r["response"], r["label"], "fresh", ZH_FRESH_FILE)
        for r in _jsonl(ZH_FRESH_FILE)
    ]


# Written blind after version 6 was settled, to be scored once as its exam, never fitted on. The files are
# named, never globbed or opened by the fitting script: only ``chinese_exam`` reads them.
ZH_EXAM_FILES = ("zh_refusal_labels_blind_i.jsonl", "zh_refusal_labels_blind_j.jsonl")


def chinese_exam() -> list[Labelled]:
    """The unspent blind sets (I, J): never part of a fit."""
    return [
        Labelled(r["id"], "zh-exam", r["prompt"], r["response"], r["label"], "exam", name)
        for name in ZH_EXAM_FILES
        for r in _jsonl(name)
    ]


def chinese_blind() -> list[Labelled]:
    """The eight spent blind sets (A–H), one writing batch each."""
    return [
        Labelled(r["id"], "zh-blind", r["prompt"], r["response"], r["label"], "blind", name)
        for name in ZH_BLIND_FILES
        for r in _jsonl(name)
    ]
