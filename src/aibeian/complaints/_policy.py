"""The complaint policy: categories and limits as data (``data/policy.yaml`` or the provider's own file).

Categories live in data, not code, because each provider publishes its own list and time limit (Interim
Measures Art. 15 sets none); a wrong file is reported with the line and field of every problem at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured, parse_structured

__all__ = ["Category", "ComplaintPolicy", "load_policy"]

KNOWN_TYPES = ("png", "jpeg", "webp", "pdf", "txt", "docx")


@dataclass(frozen=True)
class Category:
    id: str
    zh: str
    en: str
    working_days: int


@dataclass(frozen=True)
class ComplaintPolicy:
    categories: tuple[Category, ...]
    reply_working_days: int
    min_chars: int = 10
    max_chars: int = 5000
    max_contact_chars: int = 200
    max_files: int = 5
    max_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 50 * 1024 * 1024
    max_ratio: int = 100
    types: tuple[str, ...] = KNOWN_TYPES
    max_submissions: int = 5
    window_seconds: int = 3600
    source: str = "<packaged>"

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise InputError(
            f"请选择类别 / unknown category {category_id!r}",
            field="category",
            expected="one of " + ", ".join(c.id for c in self.categories),
        )

    def max_request_bytes(self) -> int:
        """The largest request a valid submission can be (base64 attachments plus the text), for a 413 early."""
        return self.max_files * (self.max_bytes * 4 // 3 + 1024) + 4 * self.max_chars + 64 * 1024

    def with_rate_limit(self, max_submissions: int, window_seconds: int | None = None) -> ComplaintPolicy:
        return replace(
            self, max_submissions=max_submissions, window_seconds=window_seconds or self.window_seconds
        )


def _int(doc: LocatedDocument, key: tuple[str | int, ...], default: int, problems: list[Problem]) -> int:
    node: Any = doc.data
    for k in key:
        if isinstance(node, dict):
            node = node.get(k)
        elif isinstance(node, list) and isinstance(k, int) and k < len(node):
            node = node[k]
        else:
            node = None
    if node is None:
        return default
    if isinstance(node, bool) or not isinstance(node, int) or node < 1:
        problems.append(
            Problem(
                f"{node!r} is not a positive whole number",
                path=doc.path,
                line=doc.line_of(key),
                field=".".join(map(str, key)),
                expected="an integer >= 1",
            )
        )
        return default
    return node


def _categories(doc: LocatedDocument, default_days: int, problems: list[Problem]) -> list[Category]:
    raw = doc.data.get("categories")
    if not isinstance(raw, list) or not raw:
        problems.append(
            Problem("a non-empty list of categories is needed", path=doc.path, line=1, field="categories")
        )
        return []
    out: list[Category] = []
    for i, item in enumerate(raw):
        key: tuple[str | int, ...] = ("categories", i)
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) and item[k] for k in ("id", "zh", "en")
        ):
            problems.append(
                Problem(
                    "each category needs id, zh and en",
                    path=doc.path,
                    line=doc.line_of(key),
                    field=f"categories[{i}]",
                    expected="{id: snake_case, zh: 中文名, en: English name}",
                )
            )
            continue
        if any(c.id == item["id"] for c in out):
            problems.append(
                Problem(f"category {item['id']!r} is listed twice", path=doc.path, line=doc.line_of(key))
            )
            continue
        days = _int(doc, (*key, "working_days"), default_days, problems)
        out.append(Category(item["id"], item["zh"], item["en"], days))
    return out


def policy_from_document(doc: LocatedDocument) -> ComplaintPolicy:
    if not isinstance(doc.data, dict):
        raise InputError("expected a mapping (reply_working_days, categories, …)", path=doc.path, line=1)
    problems: list[Problem] = []
    days = _int(doc, ("reply_working_days",), 15, problems)
    categories = _categories(doc, days, problems)
    types = (
        doc.data.get("attachments", {}).get("types", list(KNOWN_TYPES))
        if isinstance(doc.data.get("attachments"), dict)
        else list(KNOWN_TYPES)
    )
    if not isinstance(types, list) or any(t not in KNOWN_TYPES for t in types):
        problems.append(
            Problem(
                f"unknown attachment types {types!r}",
                path=doc.path,
                line=doc.line_of(("attachments", "types")),
                field="attachments.types",
                expected="a list drawn from " + ", ".join(KNOWN_TYPES),
            )
        )
        types = list(KNOWN_TYPES)
    policy = ComplaintPolicy(
        categories=tuple(categories),
        reply_working_days=days,
        min_chars=_int(doc, ("text", "min_chars"), 10, problems),
        max_chars=_int(doc, ("text", "max_chars"), 5000, problems),
        max_contact_chars=_int(doc, ("contact", "max_chars"), 200, problems),
        max_files=_int(doc, ("attachments", "max_files"), 5, problems),
        max_bytes=_int(doc, ("attachments", "max_bytes"), 5 * 1024 * 1024, problems),
        max_unpacked_bytes=_int(doc, ("attachments", "max_unpacked_bytes"), 50 * 1024 * 1024, problems),
        max_ratio=_int(doc, ("attachments", "max_ratio"), 100, problems),
        types=tuple(types),
        max_submissions=_int(doc, ("rate_limit", "max_submissions"), 5, problems),
        window_seconds=_int(doc, ("rate_limit", "window_seconds"), 3600, problems),
        source=doc.path,
    )
    if problems:
        raise InputError(problems=problems)
    return policy


def load_policy(path: str | os.PathLike[str] | None = None) -> ComplaintPolicy:
    """The provider's policy file, or the packaged default when ``path`` is None."""
    if path is not None:
        return policy_from_document(load_structured(path))
    text = resources.files("aibeian.complaints").joinpath("data", "policy.yaml").read_text(encoding="utf-8")
    return policy_from_document(parse_structured(text, source="aibeian/complaints/data/policy.yaml"))
