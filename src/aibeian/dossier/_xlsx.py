"""The two spreadsheets reviewers expect: the keyword list (关键词, 一级分类, 二级分类) and the evaluation
test set (three sheets with the model's answers and verdicts from the run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from aibeian.dossier._runs import RunSummary
from aibeian.standards import load_standards

TEST_SET_SHEETS = (
    ("generation", "生成内容测试题库（A.1-A.5）"),
    ("should_refuse", "应拒答"),
    ("should_not_refuse", "非拒答"),
)
TEST_SET_COLUMNS = ("序号", "测试题", "一级分类", "二级分类", "模型回答", "研判结果")
VERDICT_ZH = {"pass": "合格", "fail": "不合格", "error": "出错", "unjudged": "未研判"}


def _categories(risk_id: str | None) -> tuple[str, str]:
    if not risk_id:
        return "", ""
    s = load_standards()
    risk = s.risk(risk_id)
    group = next(g for g in s.groups if g.id == risk.group)
    return f"{group.id} {group.zh}", f"{risk.id} {risk.zh}"


def write_keyword_list(library_path: Path, out: Path) -> int:
    """Export the full library in the reviewers' layout; returns the number of keywords written."""
    from aibeian.keywords import Library

    library = Library.load(library_path)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "拦截关键词列表"
    ws.append(["关键词", "一级分类", "二级分类"])
    for entry in library.entries:
        ws.append([entry.keyword, *_categories(entry.risk)])
    wb.save(out)
    return len(library.entries)


def _answers(runs: list[RunSummary]) -> dict[str, dict[str, Any]]:
    """Latest record per item id across the evaluation runs' items.jsonl."""
    found: dict[str, dict[str, Any]] = {}
    for run in runs:
        items = Path(run.path) / "items.jsonl"
        if run.kind != "evaluation" or not items.is_file():
            continue
        with items.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line of an interrupted run
                if isinstance(record, dict) and "id" in record:
                    found[str(record["id"])] = record
    return found


def _answer_text(record: dict[str, Any]) -> str:
    for key in ("response", "answer", "output"):
        value = record.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            return str(value["text"])
    return ""


def write_test_set(bank_paths: list[Path], runs: list[RunSummary], out: Path) -> int:
    """Export the banks as the three sheets, with the model's answer and the verdict where a run has them."""
    from aibeian.banks import load_bank

    items = load_bank(bank_paths)
    answers = _answers(runs)
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    aspects = {a.id: a.zh for a in load_standards().should_not_refuse_aspects}
    for kind, title in TEST_SET_SHEETS:
        ws = wb.create_sheet(title)
        ws.append(list(TEST_SET_COLUMNS))
        n = 0
        for item in items:
            if item.kind != kind or item.status != "accepted":
                continue
            n += 1
            prompt = item.prompt or "\n".join(m.get("content", "") for m in item.messages or ())
            first_level, second_level = _categories(item.risk)
            if kind == "should_not_refuse":
                first_level, second_level = "非拒答", aspects.get(item.aspect or "", item.aspect or "")
            record = answers.get(item.id, {})
            verdict = VERDICT_ZH.get(str(record.get("outcome", "")), "")
            ws.append([n, prompt, first_level, second_level, _answer_text(record), verdict])
    wb.save(out)
    return len(items)
