"""What a reporter submits, checked against the policy before anything is stored.

Text is kept exactly as written (HTML and script included): it is evidence, and escaping is the job of
whoever displays it (Jinja2 autoescape on every page, JSON for the API). Only control characters that
cannot be displayed are removed. ``request_hash`` fingerprints the submission so a retry with the same
idempotency key is recognised and a different submission reusing the key is refused.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

from aibeian.complaints._policy import ComplaintPolicy
from aibeian.complaints._uploads import Attachment, check_attachments
from aibeian.errors import InputError, Problem

__all__ = ["ComplaintDraft", "check_idempotency_key", "draft_complaint"]


@dataclass(frozen=True)
class ComplaintDraft:
    category: str
    description: str
    contact: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)

    def request_hash(self) -> str:
        doc = {
            "category": self.category,
            "description": self.description,
            "contact": self.contact,
            "attachments": [[a.filename, a.sha256] for a in self.attachments],
        }
        return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _clean(text: str) -> str:
    """Drop control characters except newlines and tabs; keep everything a person could have meant."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()


def draft_complaint(
    *,
    category: str,
    description: str,
    contact: str,
    files: list[tuple[str, str, bytes]],
    policy: ComplaintPolicy,
) -> ComplaintDraft:
    """A checked draft, or one InputError listing every problem (field by field)."""
    problems: list[Problem] = []
    try:
        policy.category(category)
    except InputError as exc:
        problems.extend(exc.problems)
    text = _clean(description)
    if len(text) < policy.min_chars or len(text) > policy.max_chars:
        problems.append(
            Problem(
                f"问题描述为 {len(text)} 字 / the description has {len(text)} characters",
                field="description",
                expected=f"{policy.min_chars}–{policy.max_chars} characters",
            )
        )
    who = _clean(contact)
    if len(who) > policy.max_contact_chars:
        problems.append(
            Problem(
                f"联系方式为 {len(who)} 字 / the contact has {len(who)} characters",
                field="contact",
                expected=f"at most {policy.max_contact_chars} (a phone number or an e-mail address)",
            )
        )
    attachments: list[Attachment] = []
    try:
        attachments = check_attachments(files, policy)
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    return ComplaintDraft(category=category, description=text, contact=who, attachments=tuple(attachments))


def check_idempotency_key(key: str | None) -> str | None:
    """A client-chosen key (e.g. a UUID) so a retried request never makes a second complaint."""
    if key is None or key == "":
        return None
    if len(key) > 128 or not all(ch.isascii() and (ch.isalnum() or ch in "-_.:") for ch in key):
        raise InputError(
            "the idempotency key is not usable",
            field="Idempotency-Key",
            expected="1–128 characters of A–Z a–z 0–9 - _ . : (a UUID is ideal)",
        )
    return key
