"""The evidence index (其他佐证材料清单): every checklist item answered ``yes`` with evidence, with the article
it comes from, the files and their SHA-256, and where in the dossier it is cited. It is the dossier's
``supporting-evidence`` document, so a reviewer can match every file handed over to the duty it proves."""

from __future__ import annotations

from pathlib import Path

import docx

from aibeian.dossier._checklist import ChecklistUse
from aibeian.dossier._docx import evidence_table, fill, heading, page_numbers, set_fonts, table
from aibeian.dossier._facts import Facts
from aibeian.dossier._feeds import USER_PROVIDED, resolve_feed
from aibeian.dossier._words import Lang
from aibeian.dossier._words import word as _w

TITLE = {"zh": "{service.name}其他佐证材料清单", "en": "{service.name} — Index of supporting evidence"}
INTRO = {
    "zh": "本清单列出{company.name}就合规清单（个人信息保护法、数据安全法、网络安全法及人工智能相关规定）已落实事项"
    "提交的佐证材料，每份材料注明其SHA-256摘要，以便核对。答复文件：{answers}（SHA-256 {sha}）。",
    "en": "This index lists the evidence {company.name} provides for the compliance-checklist duties it meets (PIPL, "
    "DSL, CSL and the AI rules), each file with its SHA-256 digest. Answers file: {answers} (SHA-256 {sha}).",
}
WHERE = {"zh": ("清单项", "引用位置"), "en": ("Item", "Cited in")}
HEADINGS = {
    "zh": ("已落实事项及佐证材料", "材料引用位置"),
    "en": ("Duties met and their evidence", "Where cited"),
}


def render_evidence_index(use: ChecklistUse, facts: Facts, lang: Lang, out: Path) -> None:
    doc = docx.Document()
    set_fonts(doc)
    page_numbers(doc)
    title = fill(TITLE[lang], facts, lang)
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN" if lang == "zh" else "en"
    if lang == "en":
        doc.add_paragraph(_w("translation", lang)).runs[0].italic = True
    doc.add_heading(title, level=0)
    intro = INTRO[lang].replace("{answers}", Path(use.path).name).replace("{sha}", use.sha256[:12])
    doc.add_paragraph(fill(intro, facts, lang))
    heading(doc, 0, HEADINGS[lang][0], lang)
    evidence_table(doc, list(use.evidence), lang)
    heading(doc, 1, HEADINGS[lang][1], lang)
    rows = []
    for e in use.evidence:
        places = []
        for feed in e.feeds:
            for t in resolve_feed(feed, [*facts.documents, *USER_PROVIDED]):
                places.append(
                    t.document
                    + (f"#{t.section}" if t.section else "")
                    + (f"（{t.field}）" if t.field else "")
                )
        sep = "、" if lang == "zh" else ", "
        rows.append([e.id, sep.join(dict.fromkeys(places)) or "—"])
    table(doc, list(WHERE[lang]), rows)
    doc.save(str(out))
