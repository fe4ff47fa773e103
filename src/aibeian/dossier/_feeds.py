"""Where a checklist item's ``feeds`` land in the dossier.

A feed is a facts field (``measures.personal_information``), a document (``doc:service-agreement``) or a
document section (``doc:security-self-assessment#measures``, a section ``id`` in the document's template).
A field lands in every template section that prints it; a document without a section lands in its own
"checklist evidence" section. The documents we do not draft (``test-channel``, ``supporting-evidence``) are
covered by the evidence index the build writes as ``supporting-evidence``. A test resolves every feed of the
packaged checklist, so the checklist data and the dossier cannot drift apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from aibeian.dossier._schema import XLSX_DOCUMENTS, field_defs
from aibeian.standards import load_standards

#: Documents we draft from the checklist answers themselves (the evidence index) rather than a template.
EVIDENCE_INDEX = "supporting-evidence"
#: Documents the user provides; evidence for them is listed in the evidence index.
USER_PROVIDED = ("test-channel", EVIDENCE_INDEX)


@dataclass(frozen=True)
class Target:
    """One place a feed lands: a document, and in it a section id or a field (or the whole document)."""

    document: str
    section: str | None = None
    field: str | None = None

    def to_dict(self) -> dict[str, str]:
        out = {"document": self.document}
        if self.field:
            out["field"] = self.field
        if self.section:
            out["section"] = self.section
        return out


class UnknownFeedError(ValueError):
    """A feed naming no field, document or section of the dossier."""


def template_fields(section: dict[str, Any]) -> set[str]:
    """The facts fields a template section prints (facts tables, fact tables, paragraph placeholders)."""
    from aibeian.dossier._docx import PLACEHOLDER

    found: set[str] = set()
    for block in section.get("blocks", []):
        if "facts" in block:
            found.update(block["facts"])
        elif "table" in block:
            found.add(block["table"])
        elif "p" in block:
            for text in block["p"].values():
                found.update(PLACEHOLDER.findall(text))
    return found


@functools.cache
def _builtin_sections() -> dict[str, tuple[tuple[str, frozenset[str]], ...]]:
    """Per built-in template: (section id, fields it prints) in order."""
    out: dict[str, tuple[tuple[str, frozenset[str]], ...]] = {}
    folder = resources.files("aibeian.dossier").joinpath("templates")
    for node in folder.iterdir():
        if not node.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(node.read_text(encoding="utf-8"))
        out[node.name.removesuffix(".yaml")] = tuple(
            (str(s.get("id", "")), frozenset(template_fields(s))) for s in data["sections"]
        )
    return out


def _known_documents() -> set[str]:
    return {d.id for d in load_standards().documents}


def resolve_feed(feed: str, documents: list[str] | None = None) -> list[Target]:
    """The places ``feed`` lands, restricted to ``documents`` (a filing's documents) when given.

    Raises :class:`UnknownFeedError` when the feed names nothing in the dossier at all."""
    sections = _builtin_sections()
    wanted = set(documents) if documents is not None else None
    targets: list[Target] = []
    if feed.startswith("doc:"):
        doc, _, section = feed.removeprefix("doc:").partition("#")
        if doc not in _known_documents():
            raise UnknownFeedError(f"{feed}: no document {doc!r} in the standards' document list")
        if section:
            if section not in {sid for sid, _ in sections.get(doc, ())}:
                raise UnknownFeedError(f"{feed}: the {doc} template has no section id {section!r}")
        elif doc not in sections and doc not in XLSX_DOCUMENTS and doc not in USER_PROVIDED:
            raise UnknownFeedError(
                f"{feed}: {doc} is neither drafted, exported nor listed in the evidence index"
            )
        if wanted is None or doc in wanted:
            targets.append(Target(doc, section=section or None))
        return targets
    known = {f.path: f for f in field_defs()}
    if feed not in known:
        raise UnknownFeedError(f"{feed}: not a field of dossier/data/facts.yaml")
    printed = [
        (doc, sid)
        for doc, secs in sorted(sections.items())
        for sid, fields in secs
        if feed in fields and doc in known[feed].documents
    ]
    if not printed:
        raise UnknownFeedError(f"{feed}: no document template prints this field")
    for doc, sid in printed:
        if wanted is None or doc in wanted:
            targets.append(Target(doc, section=sid or None, field=feed))
    return targets


def feeds_section(
    feeds: tuple[str, ...] | list[str], doc_id: str, section: dict[str, Any], documents: list[str]
) -> bool:
    """Whether an item with ``feeds`` cites its evidence in ``section`` of ``doc_id`` (own templates too)."""
    sid = section.get("id")
    printed = template_fields(section)
    for feed in feeds:
        if feed.startswith("doc:"):
            doc, _, s = feed.removeprefix("doc:").partition("#")
            if doc == doc_id and s and s == sid:
                return True
        elif feed in printed and doc_id in documents:
            return True
    return False


def feeds_whole_document(feeds: tuple[str, ...] | list[str], doc_id: str) -> bool:
    """Whether an item names ``doc_id`` without a section (its evidence goes in the closing section)."""
    return f"doc:{doc_id}" in feeds
