"""Coverage of a library against the spec: totals and per-risk quotas, read from the standards data.

Counts are of *distinct normalised* keywords: 臺獨, 台独 and 台 独 are one keyword to the matcher, so
counting them three times would let a library meet a quota it does not meet. Quotas come from the
packaged standards (``keyword_library_min_total``, each risk's ``keyword_min``), never from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import daachorse

from aibeian.keywords._library import AllowList, Finding, Library
from aibeian.keywords._normalise import normalise_keyword, normalise_many
from aibeian.standards import load_standards

__all__ = ["Coverage", "check_library"]


@dataclass(frozen=True)
class Coverage:
    """What ``aibeian keywords check`` reports; ``ok`` means every quota is met and no entry is an error."""

    total: int
    per_risk: dict[str, int]
    short: list[dict[str, Any]]
    problems: list[Finding]
    min_total: int

    @property
    def ok(self) -> bool:
        return (
            self.total >= self.min_total
            and not self.short
            and not any(p.severity == "error" for p in self.problems)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "per_risk": self.per_risk,
            "short": self.short,
            "problems": [p.to_dict() for p in self.problems],
            "ok": self.ok,
            "min_total": self.min_total,
        }


def _too_long(keyword: str, limits: dict[str, int]) -> bool:
    han = sum(1 for ch in keyword if "\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f")
    words = len(keyword.split()) if not han else 0
    return han > limits.get("zh_chars", 10**9) or words > limits.get("other_words", 10**9)


def check_library(library: Library, allow: AllowList | None = None) -> Coverage:
    """Count distinct keywords per risk against the quotas and collect every finding about entries."""
    standards = load_standards()
    risks = standards.keyword_risks()
    per_risk: dict[str, set[str]] = {r.id: set() for r in risks}
    first_line: dict[str, tuple[int, str]] = {}
    problems = list(library.findings)
    limits = standards.threshold("keyword_max_length").value
    literals, _ = normalise_many([e.keyword for e in library.entries])
    for entry, norm in zip(library.entries, literals, strict=True):
        if norm in first_line:
            line, keyword = first_line[norm]
            problems.append(
                Finding(
                    "duplicate",
                    "warning",
                    f"same as {keyword!r} on line {line} after "
                    "normalisation (traditional/full-width/case/punctuation folded); counted once",
                    entry.line,
                    entry.keyword,
                )
            )
            continue
        first_line[norm] = (entry.line, entry.keyword)
        per_risk.setdefault(entry.risk, set()).add(norm)
        if isinstance(limits, dict) and _too_long(entry.keyword, limits):
            problems.append(
                Finding(
                    "too_long",
                    "warning",
                    f"longer than {limits.get('zh_chars')} Chinese "
                    f"characters or {limits.get('other_words')} words",
                    entry.line,
                    entry.keyword,
                )
            )
    if allow is not None and allow.phrases and first_line:
        problems += _allow_overlaps(first_line, allow)
    counts = {risk: len(found) for risk, found in per_risk.items()}
    short = [
        {"risk": r.id, "have": counts[r.id], "need": r.keyword_min}
        for r in risks
        if r.keyword_min is not None and counts[r.id] < r.keyword_min
    ]
    min_total = int(standards.threshold("keyword_library_min_total").value)
    total = len(first_line)
    if total < min_total:
        problems.append(
            Finding(
                "total_short",
                "error",
                f"{total} distinct keywords; the spec asks for at least "
                f"{min_total} over the 17 risks of A.1 and A.2",
            )
        )
    problems.sort(key=lambda p: (p.line or 0, p.kind))
    return Coverage(total, counts, short, problems, min_total)


def _allow_overlaps(first_line: dict[str, tuple[int, str]], allow: AllowList) -> list[Finding]:
    """Keywords inside an allow-list phrase are hidden there; equal to one, they are never reported."""
    literals = list(first_line)
    automaton = daachorse.CharwiseDoubleArrayAhoCorasick(literals)
    found: list[Finding] = []
    for phrase in allow.phrases:
        norm = normalise_keyword(phrase)
        for start, end, pid in automaton.find_overlapping(norm):
            line, keyword = first_line[literals[pid]]
            if start == 0 and end == len(norm):
                found.append(
                    Finding(
                        "allow_equal",
                        "warning",
                        f"equal to allow-list entry {phrase!r}: it is never reported",
                        line,
                        keyword,
                    )
                )
            else:
                found.append(
                    Finding(
                        "allow_substring",
                        "info",
                        f"inside allow-list entry {phrase!r}: not reported where that phrase occurs",
                        line,
                        keyword,
                    )
                )
    return found
