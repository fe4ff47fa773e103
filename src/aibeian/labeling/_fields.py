"""The implicit label record (GB 45438-2025 "AIGC" metadata) and the rules its values must meet.

Field names, required flags, Label values and the value charset come from the packaged standards data, so a
correction of the data corrects the tool. Two choices are ours, because the data is silent or ambiguous:

* the data lists only ASCII ranges for values (status ``reported``: 0x21, 0x23-0x5B, 0x5D-0x7E plus ``\\"``),
  yet ``ContentProducer`` may be a provider's Chinese name; we accept printable non-ASCII characters, and
  apply the listed ranges to ASCII (so space, backslash and control characters are rejected);
* the data gives no maximum lengths; ``MAX_LENGTH`` below is aibeian's policy, chosen so a record fits every
  container (an ID3 frame, a PNG chunk, a PDF string) comfortably.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from aibeian.errors import Problem
from aibeian.standards import load_standards

__all__ = ["FIELD_NAMES", "MAX_LENGTH", "LabelMeta", "implicit_spec", "parse_record", "validate_value"]

# aibeian policy, not a fact of the standard (see the module docstring).
MAX_LENGTH = {
    "Label": 1,
    "ContentProducer": 256,
    "ProduceID": 256,
    "ReservedCode1": 2048,
    "ContentPropagator": 256,
    "PropagateID": 256,
    "ReservedCode2": 2048,
}


@cache
def implicit_spec() -> dict[str, Any]:
    """The ``implicit`` section of labeling.yaml (fields, key, XMP namespace, containers, charset)."""
    spec: dict[str, Any] = load_standards().labeling["implicit"]
    return spec


@cache
def _field_specs() -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in implicit_spec()["fields"]}


FIELD_NAMES: tuple[str, ...] = tuple(f["name"] for f in load_standards().labeling["implicit"]["fields"])


@cache
def _allowed_ascii() -> frozenset[int]:
    allowed: set[int] = set()
    for item in implicit_spec()["value_charset"]["allowed_ranges"]:
        lo, _, hi = str(item).partition("-")
        allowed.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    for esc in implicit_spec()["value_charset"].get("escapes", []):
        allowed.add(ord(esc[-1]))  # an escaped character is allowed once the writer escapes it
    return frozenset(allowed)


def validate_value(name: str, value: str) -> list[Problem]:
    """Every problem with one field's value; empty when valid. Empty optional fields are valid."""
    spec = _field_specs().get(name)
    if spec is None:
        return [Problem("unknown field", field=name, expected=", ".join(FIELD_NAMES))]
    if value == "":
        if spec.get("required"):
            return [Problem("required field is empty / 必填字段为空", field=name)]
        return []
    problems = []
    if "values" in spec and value not in spec["values"]:
        allowed = "; ".join(f"{k} = {v}" for k, v in spec["values"].items())
        problems.append(Problem(f"value {value!r} is not allowed / 取值无效", field=name, expected=allowed))
    if len(value) > MAX_LENGTH[name]:
        problems.append(
            Problem(
                f"value is {len(value)} characters long / 超长",
                field=name,
                expected=f"at most {MAX_LENGTH[name]} characters",
            )
        )
    allowed_ascii = _allowed_ascii()
    for i, ch in enumerate(value):
        code = ord(ch)
        bad = (
            code not in allowed_ascii
            if code < 0x80
            else (unicodedata.category(ch)[0] in "CZ" or 0xD800 <= code <= 0xDFFF)
        )
        if bad:
            problems.append(
                Problem(
                    f"invalid character U+{code:04X} at position {i + 1} / 非法字符",
                    field=name,
                    expected="printable characters without spaces, backslashes or control characters",
                )
            )
            break
    return problems


@dataclass(frozen=True)
class LabelMeta:
    """One AIGC record. Absent optional fields are empty strings, as the standard's examples write them."""

    Label: str = "1"
    ContentProducer: str = ""
    ProduceID: str = ""
    ReservedCode1: str = ""
    ContentPropagator: str = ""
    PropagateID: str = ""
    ReservedCode2: str = ""
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for name in FIELD_NAMES:
            found += validate_value(name, getattr(self, name))
        if self.extra:
            found.append(
                Problem(f"unknown fields {sorted(self.extra)}", field="AIGC", expected=", ".join(FIELD_NAMES))
            )
        return found

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FIELD_NAMES}

    def to_json(self) -> str:
        """The record as the standard writes it: a compact JSON object, all seven keys, in order."""
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))

    def with_propagation(self, propagator: str, propagate_id: str, reserved2: str = "") -> LabelMeta:
        return replace(
            self,
            ContentPropagator=propagator,
            PropagateID=propagate_id,
            ReservedCode2=reserved2 or self.ReservedCode2,
        )

    def same_producer(self, other: LabelMeta) -> bool:
        return (self.Label, self.ContentProducer, self.ProduceID) == (
            other.Label,
            other.ContentProducer,
            other.ProduceID,
        )


def parse_record(raw: str | dict[str, Any]) -> tuple[LabelMeta | None, list[Problem]]:
    """Read an AIGC record as found in a file (JSON text or a mapping). Never raises on bad content."""
    data: Any = raw
    if isinstance(raw, str):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            return None, [
                Problem(
                    f"the AIGC value is not valid JSON ({exc.msg}) / 不是合法的 JSON",
                    field="AIGC",
                    expected='{"Label":"1","ContentProducer":…}',
                )
            ]
    if not isinstance(data, dict):
        return None, [Problem("the AIGC value is not a JSON object", field="AIGC")]
    values = {str(k): "" if v is None else str(v) for k, v in data.items()}
    known = {name: values.get(name, "") for name in FIELD_NAMES}
    extra = {k: v for k, v in values.items() if k not in FIELD_NAMES}
    problems = [
        Problem(f"value of {k} is not a string", field=k)
        for k, v in data.items()
        if k in FIELD_NAMES and not isinstance(v, str)
    ]
    meta = LabelMeta(**known, extra=extra)
    return meta, problems + meta.problems()
