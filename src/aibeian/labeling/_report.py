"""What verification found in one file, in the shape the CLI prints as JSON (issue 7's contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aibeian.labeling._fields import FIELD_NAMES, LabelMeta, parse_record

__all__ = [
    "SKIPPED",
    "ExplicitResult",
    "FieldResult",
    "ImplicitResult",
    "Inspection",
    "LabelReport",
    "build_report",
]


@dataclass
class ExplicitResult:
    """``checked`` is False when the format or the file gives us no way to see the label (say so, never guess)."""

    present: bool
    checked: bool = True
    details: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


SKIPPED = ExplicitResult(False, checked=False, details={"where": None, "skipped": True})


@dataclass
class FieldResult:
    value: str | None
    valid: bool
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "valid": self.valid, "problems": self.problems}


@dataclass
class Inspection:
    """What a format handler read: raw AIGC records with where they were, and the explicit-label check."""

    records: list[tuple[str, str | dict[str, Any]]]
    explicit: ExplicitResult
    implicit_possible: bool = True
    implicit_note: str = ""


@dataclass
class ImplicitResult:
    present: bool
    possible: bool
    location: str | None
    copies: int
    fields: dict[str, FieldResult]
    meta: LabelMeta | None = None
    note: str = ""


@dataclass
class LabelReport:
    file: str
    format: str
    explicit: ExplicitResult
    implicit: ImplicitResult
    problems: list[str]

    @property
    def compliant(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        explicit_details = dict(self.explicit.details)
        explicit_details.setdefault("checked", self.explicit.checked)
        implicit: dict[str, Any] = {
            "present": self.implicit.present,
            "fields": {k: v.to_dict() for k, v in self.implicit.fields.items()},
            "location": self.implicit.location,
            "copies": self.implicit.copies,
        }
        if self.implicit.note:
            implicit["note"] = self.implicit.note
        return {
            "file": self.file,
            "format": self.format,
            "explicit": {"present": self.explicit.present, "details": explicit_details},
            "implicit": implicit,
            "compliant": self.compliant,
            "problems": self.problems,
        }


def _empty_fields() -> dict[str, FieldResult]:
    return {name: FieldResult(None, False, ["absent / 缺失"]) for name in FIELD_NAMES}


def build_report(file: str, fmt: str, found: Inspection, *, check_explicit: bool = True) -> LabelReport:
    """Judge an inspection: one valid AIGC record, and a confirmed explicit label where the format allows."""
    problems: list[str] = []
    fields = _empty_fields()
    meta = None
    location = None
    if found.records:
        location, raw = found.records[0]
        meta, record_problems = parse_record(raw)
        if meta is not None:
            values = meta.as_dict()
            by_field: dict[str, list[str]] = {}
            for p in record_problems:
                by_field.setdefault(p.field or "AIGC", []).append(str(p))
            fields = {n: FieldResult(values[n], n not in by_field, by_field.get(n, [])) for n in FIELD_NAMES}
        problems += [f"implicit: {p}" for p in record_problems]
        distinct = {str(r) for _, r in found.records}
        if len(found.records) > 1:
            where = ", ".join(loc for loc, _ in found.records)
            kind = "different" if len(distinct) > 1 else "identical"
            problems.append(
                f"implicit: {len(found.records)} {kind} AIGC records ({where}); "
                "GB 45438 wants exactly one / 隐式标识应只有一份"
            )
    elif found.implicit_possible:
        problems.append("implicit: no AIGC metadata found / 未发现隐式标识")
    if check_explicit:
        if not found.explicit.present:
            reason = "; ".join(found.explicit.problems) or "not found"
            problems.append(f"explicit: {reason} / 未确认显式标识")
        else:
            problems += [f"explicit: {p}" for p in found.explicit.problems]
    implicit = ImplicitResult(
        present=bool(found.records),
        possible=found.implicit_possible,
        location=location,
        copies=len(found.records),
        fields=fields,
        meta=meta,
        note=found.implicit_note,
    )
    return LabelReport(file, fmt, found.explicit, implicit, problems)
