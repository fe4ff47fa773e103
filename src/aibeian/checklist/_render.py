"""Plain text and Markdown for people; the CLI prints these and the docs show them verbatim, so they are
deterministic (no colours, no terminal width)."""

from __future__ import annotations

from typing import Any, Literal

from aibeian.checklist._assess import ChecklistResult
from aibeian.checklist._loader import Checklist
from aibeian.checklist._models import LAWS, ChecklistItem, Lang
from aibeian.checklist._select import open_conditions
from aibeian.triage import TriageResult

LAW_NAMES = {
    "ai": {"zh": "人工智能相关规定（算法、深度合成、生成式AI、标识、安全评估）", "en": "AI rules"},
    "pipl": {"zh": "个人信息保护法", "en": "Personal Information Protection Law (PIPL)"},
    "csl": {"zh": "网络安全法", "en": "Cybersecurity Law (CSL)"},
    "dsl": {"zh": "数据安全法", "en": "Data Security Law (DSL)"},
}
_L = {
    "zh": {
        "title": "合规检查清单",
        "applicable": "适用",
        "items": "项",
        "blocking": "阻断备案",
        "basis": "依据",
        "evidence": "证明材料",
        "when": "适用条件（不成立时答 na）",
        "feeds": "填入",
        "result": "检查清单结果",
        "answered": "已回答",
        "gaps": "缺口",
        "ready": "备案就绪",
        "yes": "是",
        "no": "否",
        "missing": "未回答",
        "answer_no": "答“否”",
        "unevidenced": "答“是”但未附证明材料",
        "progress": "各法进度（已回答/适用，缺口）",
        "none": "无",
    },
    "en": {
        "title": "Compliance checklist",
        "applicable": "applicable",
        "items": "items",
        "blocking": "blocks filing",
        "basis": "basis",
        "evidence": "evidence",
        "when": "applies if (answer na when not)",
        "feeds": "feeds",
        "result": "Checklist result",
        "answered": "answered",
        "gaps": "gaps",
        "ready": "ready to file",
        "yes": "yes",
        "no": "no",
        "missing": "not answered",
        "answer_no": "answered no",
        "unevidenced": "answered yes without evidence",
        "progress": "progress per law (answered/applicable, gaps)",
        "none": "none",
    },
}


def item_dict(
    checklist: Checklist, item: ChecklistItem, triage: TriageResult | None, lang: Lang
) -> dict[str, Any]:
    return {
        "id": item.id,
        "law": item.law,
        "article": checklist.article_text(item, lang),
        "text": item.text(lang),
        "blocks_filing": item.blocks_filing,
        "severity": item.severity,
        "status": item.status,
        "evidence": item.evidence.zh if lang == "zh" else item.evidence.en,
        "feeds": list(item.feeds),
        "filings": list(item.applies_to.filings),
        "roles": list(item.applies_to.roles),
        "open_conditions": open_conditions(item, triage),
        "source": item.source,
    }


def render_items(
    checklist: Checklist,
    items: list[ChecklistItem],
    *,
    triage: TriageResult | None = None,
    fmt: Literal["text", "markdown"] = "text",
    lang: Lang = "zh",
) -> str:
    t = _L[lang]
    md = fmt == "markdown"
    out = [f"# {t['title']}" if md else t["title"], "" if md else "=" * 40, ""]
    out.append(f"{t['applicable']}: {len(items)} {t['items']}")
    for law in LAWS:
        group = [it for it in items if it.law == law]
        if not group:
            continue
        name = LAW_NAMES[law][lang]
        out += ["", f"## {name} ({len(group)})" if md else f"【{name}】 ({len(group)})", ""]
        for it in group:
            d = item_dict(checklist, it, triage, lang)
            flag = f" [{t['blocking']}]" if it.blocks_filing else ""
            head = f"- **{it.id}**{flag} ({it.status})" if md else f"{it.id}{flag} ({it.status})"
            out.append(head)
            pad = "  " if md else "    "
            out.append(f"{pad}{d['text']}")
            out.append(f"{pad}{t['basis']}: {d['article']}")
            out.append(f"{pad}{t['evidence']}: {d['evidence']}")
            if d["open_conditions"]:
                out.append(f"{pad}{t['when']}: {', '.join(d['open_conditions'])}")
            out.append(f"{pad}{t['feeds']}: {', '.join(it.feeds)}")
            if not md:
                out.append("")
    return "\n".join(out) + "\n"


def render_result(
    result: ChecklistResult, *, fmt: Literal["text", "markdown"] = "text", lang: Lang = "zh"
) -> str:
    t = _L[lang]
    md = fmt == "markdown"
    blocking = len(result.blocking())
    out = [f"# {t['result']}" if md else t["result"], "" if md else "=" * 40, ""]
    out.append(
        f"{t['applicable']} {result.applicable}, {t['answered']} {result.answered}, "
        f"{t['gaps']} {len(result.gaps)} ({t['blocking']} {blocking})"
    )
    out.append(f"{t['ready']}: {t['yes'] if result.ready else t['no']}")
    out += ["", f"## {t['gaps']}" if md else f"【{t['gaps']}】", ""]
    if not result.gaps:
        out.append(t["none"])
    for n, g in enumerate(result.gaps, 1):
        flag = f"[{t['blocking']}] " if g.blocks_filing else ""
        why = t["missing"] if g.answer == "missing" else t["answer_no"]
        out.append(f"{n}. {flag}{g.id} — {g.article} ({g.status}; {why})")
        out.append(f"   {g.text}")
        if g.open_conditions:
            out.append(f"   {t['when']}: {', '.join(g.open_conditions)}")
        if g.note:
            out.append(f"   > {g.note}")
    if result.unevidenced:
        out += ["", f"## {t['unevidenced']}" if md else f"【{t['unevidenced']}】", ""]
        out += [f"- {i}" for i in result.unevidenced]
    out += ["", f"## {t['progress']}" if md else f"【{t['progress']}】", ""]
    for law, p in result.by_law.items():
        out.append(f"- {law}: {p.answered}/{p.applicable}, {t['gaps']} {p.gaps}")
    return "\n".join(out) + "\n"
