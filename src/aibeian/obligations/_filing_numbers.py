"""Recognise and decode the numbers the CAC issues: algorithm filing numbers (网信算备…号), GenAI filing numbers
(Province-Name-YYYYMMDD[serial]) and registration numbers (上线编号). Formats, field layouts, the check-digit rule
and each one's status come from ``filing_numbers.yaml``; every check says whether it is confirmed or inferred."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

from aibeian.files import packaged_yaml
from aibeian.standards import load_standards

Kind = Literal["algorithm", "genai", "registration", "unknown"]
FIRST_ALGORITHM_FILING_YEAR = 2022  # the algorithm filing system opened in March 2022


@functools.cache
def divisions() -> dict[str, Any]:
    text = (
        resources.files("aibeian.obligations").joinpath("data", "divisions.yaml").read_text(encoding="utf-8")
    )
    data: dict[str, Any] = packaged_yaml(text)
    return data


@dataclass
class Check:
    name: str
    ok: bool
    status: str  # confirmed | reported | unverified: how sure we are that the rule itself is right
    detail: str = ""


@dataclass
class ParsedNumber:
    input: str
    kind: Kind
    fields: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.kind != "unknown" and not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "kind": self.kind,
            "valid": self.valid,
            "fields": self.fields,
            "problems": self.problems,
            "checks": [
                {"name": c.name, "ok": c.ok, "status": c.status, "detail": c.detail} for c in self.checks
            ],
        }

    def check(self, name: str, ok: bool, status: str, detail: str) -> None:
        self.checks.append(Check(name, ok, status, detail))
        if not ok:
            self.problems.append(detail)


def normalise_number(text: str) -> str:
    """NFKC folds full-width digits and letters; spaces inside a pasted number are dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _check_digit(digits: str) -> int:
    weights = (2, 1, 3, 4)
    k = sum(weights[i % 4] * int(d) for i, d in enumerate(digits[:20])) % 5
    return 2 * k + 1


def _field_status(spec: dict[str, Any], name: str) -> str:
    return next((str(f.get("status", "reported")) for f in spec["fields"] if f["name"] == name), "reported")


def _algorithm(p: ParsedNumber, digits: str, spec: dict[str, Any]) -> None:
    provinces = divisions()["provinces"]
    codes = next(f["codes"] for f in spec["fields"] if f["name"] == "algorithm_type")
    year = 2000 + int(digits[15:17])
    p.fields = {
        "division_code": digits[0:6],
        "province_code": digits[0:2],
        "province": provinces.get(digits[0:2], {}).get("zh"),
        "entity_code": digits[6:13],
        "algorithm_type": digits[13:15],
        "algorithm_type_name": codes.get(digits[13:15]),
        "year": year,
        "sequence": int(digits[17:20]),
        "check_digit": int(digits[20]),
    }
    p.check(
        "division_code",
        digits[0:2] in provinces,
        _field_status(spec, "division_code"),
        f"division code {digits[0:6]} does not start with a province code (GB/T 2260)",
    )
    p.check(
        "algorithm_type",
        digits[13:15] in codes,
        _field_status(spec, "algorithm_type"),
        f"algorithm type {digits[13:15]} is not a known type code ({', '.join(codes)})",
    )
    this_year = dt.date.today().year
    p.check(
        "year",
        FIRST_ALGORITHM_FILING_YEAR <= year <= this_year,
        _field_status(spec, "year"),
        f"year {year} is outside {FIRST_ALGORITHM_FILING_YEAR}–{this_year}",
    )
    expected = _check_digit(digits)
    p.check(
        "check_digit",
        int(digits[20]) == expected,
        _field_status(spec, "check_digit"),
        f"check digit {digits[20]} does not match the computed {expected} (rule inferred from published numbers)",
    )


def _genai(p: ParsedNumber, match: re.Match[str], spec: dict[str, Any]) -> None:
    province, name, date_text = match.group("province"), match.group("name"), match.group("date")
    serial = match.group("serial")
    pinyins = {v["pinyin"].lower(): (code, v) for code, v in divisions()["provinces"].items()}
    known = pinyins.get(province.lower())
    p.fields = {
        "province": province,
        "province_zh": known[1]["zh"] if known else None,
        "name": name,
        "date": None,
        "serial": int(serial) if serial else None,
    }
    p.check("province", known is not None, "reported", f"{province} is not a province-level name in pinyin")
    try:
        date = dt.datetime.strptime(date_text, "%Y%m%d").date()
    except ValueError:
        p.check(
            "date", False, str(spec.get("status", "confirmed")), f"{date_text} is not a real date (YYYYMMDD)"
        )
        return
    p.fields["date"] = date.isoformat()
    ok = dt.date(2023, 1, 1) <= date <= dt.date.today()
    p.check(
        "date",
        ok,
        str(spec.get("status", "confirmed")),
        f"date {date} is before the first GenAI filings (2023) or in the future",
    )


def parse_filing_number(text: str) -> ParsedNumber:
    """Decode ``text``; never raises for a malformed number — it is ``valid: false`` with the reasons."""
    spec = load_standards().filing_numbers
    value = normalise_number(text)
    p = ParsedNumber(input=text, kind="unknown")
    m = re.match(spec["algorithm"]["regex"], value)
    if m:
        p.kind = "algorithm"
        _algorithm(p, m.group(1), spec["algorithm"])
        return p
    genai_rx = r"^(?P<province>[A-Z][A-Za-z]+)-(?P<name>[A-Za-z0-9]+)-(?P<date>\d{8})(?P<serial>\d{4})?$"
    if re.match(spec["genai"]["regex"], value) and (m := re.match(genai_rx, value)):
        p.kind = "genai"
        _genai(p, m, spec["genai"])
        return p
    if re.match(spec["registration"]["regex"], value):
        p.kind = "registration"
        p.fields = {"raw": value}
        p.checks.append(
            Check(
                "format",
                True,
                str(spec["registration"]["status"]),
                "registration number format is unverified: no published example; checked permissively",
            )
        )
        return p
    p.problems.append(_why_unknown(value))
    return p


def _why_unknown(value: str) -> str:
    if not value:
        return "empty input"
    if value.startswith("网信算备"):
        digits = re.sub(r"\D", "", value)
        if not value.endswith("号"):
            return "an algorithm filing number ends with 号: 网信算备<21 digits>号"
        return f"an algorithm filing number has 21 digits after 网信算备, this one has {len(digits)}"
    if re.match(r"^[A-Za-z]+-", value):
        return "looks like a GenAI filing number but does not match Province-Name-YYYYMMDD[NNNN]"
    return "not an algorithm (网信算备…号), GenAI (Province-Name-YYYYMMDD…) or registration number"


def find_numbers(text: str) -> list[tuple[int, int, str]]:
    """Spans of anything in ``text`` that looks like a filing number (for display checks without --expect)."""
    pattern = re.compile(r"网信算备\s*\d{21}\s*号|\b[A-Z][A-Za-z]+-[A-Za-z0-9]+-\d{8}(?:\d{4})?\b")
    return [(m.start(), m.end(), m.group(0)) for m in pattern.finditer(text)]
