"""Render a TriageResult as terminal text or Markdown, in Chinese or English."""

from __future__ import annotations

from aibeian.standards import load_standards
from aibeian.triage._result import Lang, TriageResult

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"zh": "备案分诊结果", "en": "Filing triage result"},
    "none": {
        "zh": "无需办理算法备案、大模型备案或登记。",
        "en": "No algorithm filing, GenAI filing or registration is needed.",
    },
    "filings": {"zh": "需要办理的备案", "en": "Filings needed"},
    "role": {"zh": "身份", "en": "role"},
    "review": {"zh": "审核层级", "en": "review"},
    "documents": {"zh": "材料", "en": "documents"},
    "conditional": {"zh": "视情况需要", "en": "when needed"},
    "reasons": {"zh": "理由", "en": "reasons"},
    "months": {"zh": "周期（月）", "en": "months"},
    "security": {"zh": "安全评估", "en": "Security assessment"},
    "required": {"zh": "需要", "en": "required"},
    "not_required": {"zh": "不需要", "en": "not required"},
    "prereq": {"zh": "前置条件", "en": "Prerequisites"},
    "blockers": {
        "zh": "阻断事项（解决前无法提交）",
        "en": "Blockers (nothing can be submitted until resolved)",
    },
    "timeline": {"zh": "预计周期", "en": "Timeline"},
    "with_consult": {"zh": "含预沟通最长", "en": "with pre-filing consultation at most"},
    "sources": {"zh": "来源", "en": "sources"},
    "notes": {"zh": "说明", "en": "Notes"},
    "gaps": {"zh": "准备工作缺口", "en": "Readiness gaps"},
    "met": {"zh": "已满足", "en": "met"},
    "unmet": {"zh": "未满足", "en": "not met"},
    "unknown": {"zh": "待确认", "en": "to confirm"},
    "status_note": {
        "zh": "状态：confirmed＝有公开规则或标准；reported＝实务/业内说法（建议，非法律）；unverified＝来源薄弱。",
        "en": "Status: confirmed = published rule or standard; reported = practitioners' view (advice, not law); "
        "unverified = weakly sourced.",
    },
}

BLOCKER_TEXT: dict[str, dict[Lang, str]] = {
    "eligible_entity": {
        "zh": "主体不具备备案资格（需境内合格主体）",
        "en": "the entity cannot file (an eligible mainland entity is needed)",
    },
    "upstream_model_not_filed": {"zh": "所调用的上游模型未备案", "en": "the upstream model is not filed"},
    "icp": {"zh": "尚无ICP备案或许可证", "en": "no ICP filing or licence"},
}


def _l(key: str, lang: Lang) -> str:
    return LABELS[key][lang]


def _doc_name(doc_id: str, lang: Lang) -> str:
    d = load_standards().document(doc_id)
    return f"{d.zh if lang == 'zh' else d.en} ({doc_id})"


def _met(met: bool | None, lang: Lang) -> str:
    return _l("unknown" if met is None else ("met" if met else "unmet"), lang)


def render_markdown(result: TriageResult) -> str:
    """A Markdown report; the same structure as the text output, for pasting into a memo or a ticket."""
    lang = result.lang
    out = [f"# {_l('title', lang)}", ""]
    if result.blockers:
        out += [f"## {_l('blockers', lang)}", ""]
        out += [f"- **{b}**: {BLOCKER_TEXT.get(b, {}).get(lang, b)}" for b in result.blockers]
        out.append("")
    out += [f"## {_l('filings', lang)}", ""]
    if not result.filings:
        out += [_l("none", lang), ""]
    for i, f in enumerate(result.filings, 1):
        algo = f" — {f.algorithm_name}" if f.algorithm_name else ""
        out += [f"### {i}. {f.name}{algo}", ""]
        out.append(f"- {_l('role', lang)}: {f.role_name} (`{f.role}`), status: {f.status}")
        out.append(f"- {_l('review', lang)}: {', '.join(f.review_levels)}")
        out.append(f"- {_l('months', lang)}: {f.timeline.min_months:g}–{f.timeline.max_months:g}")
        out.append(f"- {_l('reasons', lang)}:")
        out += [f"  - {r}" for r in f.reasons]
        out.append(f"- {_l('documents', lang)}:")
        out += [f"  - {_doc_name(d, lang)}" for d in f.documents]
        if f.conditional_documents:
            out.append(f"- {_l('conditional', lang)}:")
            out += [f"  - {_doc_name(c.id, lang)}: {c.when}" for c in f.conditional_documents]
        out.append("")
    sa = result.security_assessment
    out += [f"## {_l('security', lang)}: {_l('required' if sa.required else 'not_required', lang)}", ""]
    out += [f"- {r}" for r in sa.reasons]
    if sa.reasons:
        out.append("")
    if result.prerequisites:
        out += [f"## {_l('prereq', lang)}", ""]
        out += [
            f"- [{_met(p.met, lang)}] {p.name} (`{p.id}`, {p.status}): {p.action}"
            for p in result.prerequisites
        ]
        out.append("")
    if result.timeline:
        t = result.timeline
        out += [f"## {_l('timeline', lang)}", ""]
        out.append(
            f"- {t.min_months:g}–{t.max_months:g} {'个月' if lang == 'zh' else 'months'}; "
            f"{_l('with_consult', lang)} {t.with_consultation_max_months:g}"
        )
        out.append(f"- {_l('sources', lang)}: " + "; ".join(t.sources))
        out.append("")
    if result.readiness_gaps:
        out += [f"## {_l('gaps', lang)}", ""]
        out += [f"- {g.text}" for g in result.readiness_gaps]
        out.append("")
    if result.notes:
        out += [f"## {_l('notes', lang)}", ""]
        out += [f"- {n}" for n in result.notes]
        out.append("")
    out.append(f"_{_l('status_note', lang)}_")
    return "\n".join(out) + "\n"


def render_text(result: TriageResult) -> str:
    """Terminal text: the Markdown without its markup, which reads well in a plain terminal and in logs."""
    lines = []
    for line in render_markdown(result).splitlines():
        stripped = line.lstrip("#").strip() if line.startswith("#") else line
        if line.startswith("# "):
            stripped = f"{stripped}\n{'=' * 40}"
        elif line.startswith("## "):
            stripped = f"【{stripped}】" if result.lang == "zh" else f"[{stripped}]"
        lines.append(
            stripped.replace("**", "").replace("`", "").strip("_")
            if line.startswith("_")
            else stripped.replace("**", "").replace("`", "")
        )
    return "\n".join(lines) + "\n"
