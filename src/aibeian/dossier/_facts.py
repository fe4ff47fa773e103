"""The facts file: written by ``dossier init`` with a zh comment and an example per field, read back with every
wrong type and unknown field (with the nearest known one) reported by line."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast, get_args

import yaml

from aibeian.dossier._schema import FieldDef, FilingId, documents_for, field_defs, fields_for
from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured, read_text

TOP_LEVEL = ("filing", "role", "calls_third_party_model")
FILINGS = get_args(FilingId)
ROLES = ("provider", "technical_supporter")


@dataclass
class Facts:
    """A validated facts file: the filing, its documents, and values by dotted path."""

    filing: FilingId
    role: str
    calls_third_party_model: bool
    values: dict[str, Any]
    path: str = "<facts>"
    lines: dict[str, int] = field(default_factory=dict)

    @property
    def documents(self) -> list[str]:
        return documents_for(self.filing, calls_third_party_model=self.calls_third_party_model)

    def get(self, path: str) -> Any:
        return self.values.get(path)

    def is_empty(self, path: str) -> bool:
        value = self.values.get(path)
        return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _yaml_value(value: Any) -> str:
    return (
        yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=1000)
        .strip()
        .removesuffix("...")
        .strip()
    )


def _empty(f: FieldDef) -> str:
    return "[]" if f.type in ("list", "table") else "null" if f.type in ("int", "number", "bool") else '""'


def init_facts_text(filing: FilingId, *, triage: dict[str, Any] | None = None) -> str:
    """A facts file for ``filing`` with every field its documents use, empty, each with a zh comment."""
    role, third_party, prefill = "provider", filing == "registration", {}
    if triage is not None:
        wanted = [f for f in triage.get("filings", []) if f.get("type") == filing]
        if not wanted:
            kinds = sorted({str(f.get("type")) for f in triage.get("filings", [])}) or ["none"]
            raise InputError(
                f"the triage result does not call for a {filing} filing",
                field="filing",
                expected="one of the triage's filings: " + ", ".join(kinds),
            )
        role = wanted[0].get("role", "provider")
        third_party = any("third-party-model-proof" in f.get("documents", []) for f in triage["filings"])
        for f in wanted:
            if f.get("cites_upstream_filing"):
                prefill["upstream.filing_number"] = f["cites_upstream_filing"]
    lines = [
        f"# aibeian 备案材料事实文件 / dossier facts — {filing}",
        "# 填写每个字段（注释说明用途并给出示例），然后运行 aibeian dossier check facts.yaml",
        f"filing: {filing}",
        f"role: {role}   # provider（服务提供者）| technical_supporter（服务技术支持者）",
        f"calls_third_party_model: {'true' if third_party else 'false'}   # 是否调用第三方（已备案）模型",
    ]
    current: list[str] = []
    for f in fields_for(documents_for(filing, calls_third_party_model=third_party)):
        parts = f.path.split(".")
        parents, leaf = parts[:-1], parts[-1]
        common = 0
        while common < min(len(parents), len(current)) and parents[common] == current[common]:
            common += 1
        for depth in range(common, len(parents)):
            lines.append(f"{'  ' * depth}{parents[depth]}:")
        current = parents
        indent = "  " * len(parents)
        optional = "（可选）" if f.optional else ""
        lines.append(f"{indent}# {f.zh}{optional}；例：{_yaml_value(f.example)}")
        value = _yaml_value(prefill[f.path]) if f.path in prefill else _empty(f)
        lines.append(f"{indent}{leaf}: {value}")
    return "\n".join(lines) + "\n"


def _flatten(data: Any, prefix: str, out: dict[str, tuple[Any, tuple[str, ...]]]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            known_prefix = any(f.path.startswith(path + ".") for f in field_defs())
            if isinstance(value, dict) and known_prefix:
                _flatten(value, path, out)
            else:
                out[path] = (value, tuple(path.split(".")))


def _type_problem(f: FieldDef, value: Any) -> str | None:
    if value is None or value in ("", []):
        return None
    ok = {
        "text": isinstance(value, str | int | float) and not isinstance(value, bool),
        "long_text": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "date": isinstance(value, dt.date) or (isinstance(value, str) and _is_date(value)),
        "list": isinstance(value, list) and all(isinstance(v, str | int | float) for v in value),
        "table": isinstance(value, list) and all(isinstance(v, dict) for v in value),
    }[f.type]
    if ok:
        return None
    expected = {
        "date": "a date YYYY-MM-DD",
        "table": "a list of mappings with " + ", ".join(f.columns),
        "list": "a list of texts",
        "int": "a whole number",
        "number": "a number",
    }.get(f.type, f.type)
    return expected


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def facts_from_document(doc: LocatedDocument) -> Facts:
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(
            "the facts file must be a mapping",
            path=doc.path,
            line=1,
            expected="filing: genai|algorithm|registration …",
        )
    problems: list[Problem] = []
    known = {f.path: f for f in field_defs()}
    flat: dict[str, tuple[Any, tuple[str, ...]]] = {}
    _flatten({k: v for k, v in data.items() if k not in TOP_LEVEL}, "", flat)
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for path, (value, key) in flat.items():
        line = doc.line_of(key)
        lines[path] = line or 0
        if path not in known:
            close = difflib.get_close_matches(path, list(known), n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            problems.append(Problem(f"unknown field{hint}", path=doc.path, line=line, field=path))
            continue
        expected = _type_problem(known[path], value)
        if expected:
            problems.append(
                Problem(
                    f"wrong type ({type(value).__name__})",
                    path=doc.path,
                    line=line,
                    field=path,
                    expected=expected,
                )
            )
            continue
        if path.endswith("_rate") and isinstance(value, int | float) and not 0 <= value <= 1:
            # 97 meant as 97 % would otherwise surface as a confusing "inconsistent with the run"
            problems.append(
                Problem(
                    f"{value} is not a rate",
                    path=doc.path,
                    line=line,
                    field=path,
                    expected=f"a fraction between 0 and 1 (e.g. {value / 100:g} for {value:g} %)",
                )
            )
            continue
        values[path] = value.isoformat() if isinstance(value, dt.date) else value
    filing = data.get("filing")
    if filing not in FILINGS:
        problems.append(
            Problem(
                f"{filing!r} is not a filing type",
                path=doc.path,
                line=doc.line_of(("filing",)),
                field="filing",
                expected=" | ".join(FILINGS),
            )
        )
    role = data.get("role", "provider")
    if role not in ROLES:
        problems.append(
            Problem(
                f"{role!r} is not a role",
                path=doc.path,
                line=doc.line_of(("role",)),
                field="role",
                expected=" | ".join(ROLES),
            )
        )
    third = data.get("calls_third_party_model", filing == "registration")
    if not isinstance(third, bool):
        problems.append(
            Problem(
                "not a boolean",
                path=doc.path,
                line=doc.line_of(("calls_third_party_model",)),
                field="calls_third_party_model",
                expected="true or false",
            )
        )
    if problems:
        raise InputError(problems=problems)
    return Facts(
        filing=cast(FilingId, filing),
        role=role,
        calls_third_party_model=bool(third),
        values=values,
        path=doc.path,
        lines=lines,
    )


def load_facts(path: str | os.PathLike[str]) -> Facts:
    return facts_from_document(load_structured(path))


def load_triage(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A triage result written by ``aibeian triage --format json``."""
    p = Path(path)
    try:
        data = json.loads(read_text(p))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON: {exc.msg}", path=str(p), line=exc.lineno, column=exc.colno
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("filings"), list):
        raise InputError(
            "not a triage result", path=str(p), expected="the output of aibeian triage --format json"
        )
    return data
