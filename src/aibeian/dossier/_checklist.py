"""The compliance checklist's answers as the dossier uses them (issue #11): a gap is shown by ``dossier check``
with the documents and fields it leaves unsupported, and a ``yes`` with evidence is cited in the sections it
feeds (personal-information protection, security measures, complaint channel, labelling …).

Only the items that apply to the facts file's filing and role count here; a triage result (optional) settles
the conditions it can (recommendation algorithm, public-opinion attributes), exactly as ``checklist answer``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aibeian.dossier._facts import Facts
from aibeian.dossier._feeds import Target, UnknownFeedError, resolve_feed
from aibeian.errors import InputError


@dataclass(frozen=True)
class Evidence:
    """One checklist item answered ``yes`` with evidence: what the documents cite."""

    id: str
    text: str
    article: str
    files: tuple[str, ...]  # as the reviewer should see them: relative to the answers file's folder
    sha256: tuple[str, ...]
    feeds: tuple[str, ...]
    note: str | None = None


@dataclass
class ChecklistUse:
    """The answers file reduced to this dossier: gaps (check) and evidence (build)."""

    path: str
    sha256: str
    applicable: int
    answered: int
    gaps: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    unevidenced: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "answers": self.path,
            "sha256": self.sha256,
            "applicable": self.applicable,
            "answered": self.answered,
            "gaps": len(self.gaps),
            "evidenced": [e.id for e in self.evidence],
            "unevidenced": self.unevidenced,
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _targets(feeds: tuple[str, ...], documents: list[str]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for feed in feeds:
        try:
            targets: list[Target] = resolve_feed(feed, documents)
        except UnknownFeedError:
            continue  # a test pins that every packaged feed resolves
        out += [t.to_dict() for t in targets]
    return out


def _shown(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def use_checklist(
    answers_path: str | os.PathLike[str],
    facts: Facts,
    *,
    triage: str | os.PathLike[str] | None = None,
    lang: str = "zh",
) -> ChecklistUse:
    """Assess ``answers_path`` with the checklist package and keep what applies to ``facts``' filing/role."""
    from aibeian.checklist import applicable_items, check_answers, load_checklist, load_triage_result

    triage_result = load_triage_result(triage) if triage is not None else None
    if triage_result is not None and not any(f.type == facts.filing for f in triage_result.filings):
        kinds: list[str] = sorted({str(f.type) for f in triage_result.filings}) or ["none"]
        raise InputError(
            f"the triage result does not call for a {facts.filing} filing (the facts file's filing)",
            path=str(triage),
            field="--triage",
            expected="a triage result whose filings include it; it has: " + ", ".join(kinds),
        )
    result = check_answers(answers_path, triage=triage_result, lang="en" if lang == "en" else "zh")
    checklist = load_checklist()

    def applies(item_id: str) -> bool:
        a = checklist.item(item_id).applies_to
        return facts.filing in a.filings and facts.role in a.roles

    documents = list(facts.documents)
    extra = [d for d in ("test-channel", "supporting-evidence") if d not in documents]
    if facts.filing == "genai":
        documents += extra  # the genai filing's conditional documents
    path = Path(answers_path)
    use = ChecklistUse(path=str(path), sha256=_sha256(path), applicable=0, answered=0)
    use.applicable = sum(1 for it in applicable_items(checklist, triage_result) if applies(it.id))
    use.answered = use.applicable - sum(1 for g in result.gaps if applies(g.id) and g.answer == "missing")
    for gap in result.gaps:
        if not applies(gap.id):
            continue
        use.gaps.append(
            {
                "id": gap.id,
                "law": gap.law,
                "article": gap.article,
                "text": gap.text,
                "answer": gap.answer,
                "blocks_filing": gap.blocks_filing,
                "status": gap.status,
                "feeds": _targets(gap.feeds, documents),
                "open_conditions": list(gap.open_conditions),
            }
        )
    base = path.parent
    lang_key: Literal["zh", "en"] = "en" if lang == "en" else "zh"
    for done in result.fulfilled:
        if not applies(done.id):
            continue
        if not done.evidence:
            use.unevidenced.append(done.id)
            continue
        item = checklist.item(done.id)
        files = [Path(e) for e in done.evidence]
        use.evidence.append(
            Evidence(
                id=done.id,
                text=item.text(lang_key),
                article=checklist.article_text(item, lang_key),
                files=tuple(_shown(f, base) for f in files),
                sha256=tuple(_sha256(f) if f.is_file() else "" for f in files),
                feeds=tuple(done.feeds),
                note=done.note,
            )
        )
    return use
