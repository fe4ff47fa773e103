"""The fixed words of the drafted documents, in simplified Chinese and English (a company changes the wording
of its documents in the templates; these are the table headers, verdicts and run-figure sentences)."""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["zh", "en"]

WORDS: dict[str, dict[Lang, str]] = {
    "todo": {"zh": "【待填写：{}】", "en": "[TO FILL: {}]"},
    "field": {"zh": "项目", "en": "Item"},
    "value": {"zh": "内容", "en": "Value"},
    "metric": {"zh": "指标", "en": "Metric"},
    "n": {"zh": "样本数", "en": "n"},
    "rate": {"zh": "结果", "en": "Result"},
    "ci": {"zh": "95%置信区间", "en": "95 % interval"},
    "threshold": {"zh": "要求", "en": "Requirement"},
    "verdict": {"zh": "结论", "en": "Verdict"},
    "run": {"zh": "运行编号", "en": "Run id"},
    "pass": {"zh": "符合", "en": "conforms"},
    "fail": {"zh": "不符合", "en": "does not conform"},
    "no_run": {"zh": "（未提供评估运行记录）", "en": "(no run record given)"},
    "translation": {
        "zh": "",
        "en": "English draft — a translation aid only; the filing is made in simplified Chinese.",
    },
    "risk": {"zh": "风险类别", "en": "Risk"},
    "incomplete": {"zh": "未完成", "en": "incomplete"},
    "uncertain": {"zh": "待定", "en": "uncertain"},
    "not_sampled": {"zh": "未抽检", "en": "not sampled"},
    "source": {"zh": "来源", "en": "Source"},
    "items": {"zh": "条目数", "en": "Items"},
    "sampled": {"zh": "抽检数", "en": "Sampled"},
    "flagged": {"zh": "不合格数", "en": "Flagged"},
    "flagged_rate": {"zh": "不合格比例", "en": "Flagged rate"},
    "technical": {
        "zh": "技术抽检合格率（抽检比例{fraction}，要求不低于{min_fraction}）",
        "en": "Technical sample qualified rate (sampled {fraction}, at least {min_fraction} required)",
    },
    "manual": {
        "zh": "人工抽检合格率（已审核{reviewed}条，要求不少于{min_items}条）",
        "en": "Manual sample qualified rate ({reviewed} reviewed, at least {min_items} required)",
    },
    "corpus_overview": {
        "zh": "语料安全评估运行{run}：共{items}条、{chars}字符，{sources}个来源；关键词库{keywords}个关键词（版本散列{hash}）；抽样种子{seed}。",
        "en": "Corpus assessment run {run}: {items} items, {chars} characters, {sources} sources; keyword library of {keywords} keywords (hash {hash}); sampling seed {seed}.",
    },
    "corpus_conclusion": {
        "zh": "语料安全评估结论（运行{run}）：{status}。",
        "en": "Corpus assessment conclusion (run {run}): {status}.",
    },
    "evidence_intro": {
        "zh": "落实情况及佐证材料（合规清单）：",
        "en": "How this is met, with evidence (compliance checklist):",
    },
    "evidence_section": {"zh": "合规清单落实情况及佐证材料", "en": "Compliance checklist: evidence"},
    "item": {"zh": "清单项", "en": "Item"},
    "duty": {"zh": "要求", "en": "Duty"},
    "basis": {"zh": "依据", "en": "Basis"},
    "evidence": {"zh": "佐证材料", "en": "Evidence"},
    "note": {"zh": "说明", "en": "Note"},
}


def word(key: str, lang: Lang) -> str:
    return WORDS[key][lang]


def pct(x: Any) -> str:
    """A rate as the documents print it (one decimal, as reviewers read them); — when there is none."""
    return "—" if x is None else f"{float(x) * 100:.1f}%"
