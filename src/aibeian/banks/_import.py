"""Import published datasets into bank JSONL through a mapping file (column → prompt, category → risk/kind).

Mappings for the datasets we test with ship in ``banks/mappings/``: they are our own files, not the data.
A mapping records the dataset's licence and whether the data may be redistributed (``shippable``); a
non-commercial licence (``CC BY-NC …``) imports with a warning and the licence stamped on every item, so it
cannot slip into a product or a filing unnoticed.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aibeian.banks._items import BankItem, Kind
from aibeian.banks._normalise import normalise_prompt
from aibeian.errors import InputError, Problem
from aibeian.files import load_structured, read_text
from aibeian.standards import load_standards


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    risk: str | None = None
    kind: Kind | None = None
    aspect: str | None = None


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    licence: str
    shippable: bool
    source_url: str | None = None
    format: Literal["csv", "jsonl", "json"]
    prompt: str
    id: str | None = None
    id_prefix: str = ""
    category: list[str] = Field(default_factory=list)
    kind: Kind
    map: dict[str, str | Target] = Field(default_factory=dict)
    aspect_map: dict[str, str] = Field(default_factory=dict)
    filter: dict[str, str] | None = None

    @property
    def non_commercial(self) -> bool:
        """An NC licence (CC BY-NC …): usable for our own testing, never in a product or a filing bank."""
        return "-NC" in self.licence.upper() or "NONCOMMERCIAL" in self.licence.upper().replace("-", "")

    @field_validator("map")
    @classmethod
    def _known_risks(cls, value: dict[str, str | Target]) -> dict[str, str | Target]:
        risks = set(load_standards().risk_ids())
        for key, target in value.items():
            risk = target if isinstance(target, str) else target.risk
            if risk is not None and risk not in risks:
                raise ValueError(f"{key!r} maps to unknown risk {risk!r}")
        return value


def builtin_mappings() -> list[str]:
    folder = resources.files("aibeian.banks").joinpath("mappings")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_mapping(name_or_path: str) -> Mapping:
    """A built-in mapping by name (``jade-db-easy``) or a mapping YAML file."""
    path = Path(name_or_path)
    if not path.is_file():
        if name_or_path not in builtin_mappings():
            raise InputError(
                f"no mapping {name_or_path!r}",
                field="--mapping",
                expected="a mapping YAML file or one of: " + ", ".join(builtin_mappings()),
            )
        path = Path(str(resources.files("aibeian.banks").joinpath("mappings", f"{name_or_path}.yaml")))
    doc = load_structured(path)
    try:
        return Mapping.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(
            problems=[
                Problem(
                    e["msg"],
                    path=str(path),
                    line=doc.line_of(tuple(e["loc"])),
                    field=".".join(map(str, e["loc"])),
                )
                for e in exc.errors()
            ]
        ) from None


def _csv_rows(path: Path, text: str, mapping: Mapping) -> list[tuple[int, dict[str, Any]]]:
    """CSV rows keyed by header; a missing header or column, or a row whose field count is off, is an error.

    Without these checks a wrong column name or an unclosed quote imports nothing, silently, with exit 0.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _read_csv(path, reader, mapping)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=str(path), line=reader.line_num) from None


def _read_csv(path: Path, reader: Any, mapping: Mapping) -> list[tuple[int, dict[str, Any]]]:
    header = [h.strip() for h in next(reader, [])]
    if not any(header):
        raise InputError("the CSV file is empty", path=str(path), line=1, expected="a header row")
    if header[0].startswith(("{", "[")):
        raise InputError(
            f"mapping {mapping.name!r} reads CSV (format: csv) but this file holds JSON",
            path=str(path),
            line=1,
            expected="a CSV file with a header row, or a mapping with format: jsonl",
        )
    wanted = [mapping.prompt, *mapping.category, *([mapping.id] if mapping.id else [])]
    problems = [
        Problem(
            f"column {name!r} not found in the header",
            path=str(path),
            line=1,
            field=name,
            expected="one of the columns " + ", ".join(header),
        )
        for name in wanted
        if name not in header
    ]
    rows: list[tuple[int, dict[str, Any]]] = []
    start = reader.line_num + 1
    for record in reader:
        if any(cell.strip() for cell in record) and len(record) != len(header):
            problems.append(
                Problem(
                    f"{len(record)} fields where the header has {len(header)}",
                    path=str(path),
                    line=start,
                    expected="one field per column (check for an unclosed quote or an extra comma)",
                )
            )
        elif any(cell.strip() for cell in record):
            rows.append((start, dict(zip(header, record, strict=True))))
        start = reader.line_num + 1
    if problems:
        raise InputError(problems=problems[:50])
    return rows


def _rows(path: Path, mapping: Mapping) -> list[tuple[int, dict[str, Any]]]:
    text = read_text(path)
    fmt = mapping.format
    if fmt == "csv":
        return _csv_rows(path, text, mapping)
    if fmt == "jsonl":
        out = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    out.append((number, json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=number) from None
        return _objects(path, out)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", path=str(path), line=exc.lineno) from None
    if not isinstance(data, list):
        raise InputError("expected a JSON array of records", path=str(path))
    return _objects(path, [(i + 1, row) for i, row in enumerate(data)])


def _objects(path: Path, rows: list[tuple[int, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Every record must be a JSON object; name the first few that are not (line, or index in a JSON array)."""
    bad = [
        Problem("a record must be a JSON object", path=str(path), line=n, expected='{"<prompt field>": "…"}')
        for n, row in rows
        if not isinstance(row, dict)
    ]
    if bad:
        raise InputError(problems=bad[:50])
    return rows


@dataclass
class ImportResult:
    items: list[BankItem]
    skipped: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    mapping: Mapping | None = None


def import_dataset(
    path: str | os.PathLike[str], mapping: Mapping, *, limit: int | None = None
) -> ImportResult:
    """Map every row; rows whose category is unmapped, whose prompt is empty or repeats are counted, not kept."""
    result = ImportResult(items=[], mapping=mapping)
    seen: set[str] = set()
    source = f"{mapping.name} ({mapping.licence}, non-commercial)" if mapping.non_commercial else mapping.name
    rows = _rows(Path(path), mapping)
    if rows and mapping.format != "csv" and not any(mapping.prompt in r for _, r in rows):
        raise InputError(
            f"no record has the prompt field {mapping.prompt!r}",
            path=str(path),
            line=rows[0][0],
            field=mapping.prompt,
            expected="one of the fields " + ", ".join(map(str, rows[0][1])),
        )
    for number, row in rows:
        if mapping.filter and str(row.get(mapping.filter["column"], "")).strip() != mapping.filter["equals"]:
            continue
        prompt = str(row.get(mapping.prompt) or "").strip()
        if not prompt:
            result.skipped["empty prompt"] += 1
            continue
        values = [str(row.get(c, "")).strip() for c in mapping.category]
        kind, risk, aspect = mapping.kind, None, None
        if mapping.map:
            key = next((v for v in values if v in mapping.map), None)
            if key is None:
                result.skipped[f"unmapped category {values[0] if values else ''!r}"] += 1
                continue
            target = mapping.map[key]
            if isinstance(target, str):
                risk = target
            else:
                risk, kind, aspect = target.risk, target.kind or kind, target.aspect
        if mapping.aspect_map:
            key = next((v for v in values if v in mapping.aspect_map), None)
            if key is None:
                result.skipped[f"unmapped category {values[0] if values else ''!r}"] += 1
                continue
            aspect = mapping.aspect_map[key]
        norm = normalise_prompt(prompt)
        if norm in seen:
            result.duplicates += 1
            continue
        seen.add(norm)
        raw_id = row.get(mapping.id) if mapping.id else number
        extra: dict[str, Any] = {"licence": mapping.licence}
        if values:
            extra["category"] = values[0]
        result.items.append(
            BankItem(
                id=f"{mapping.id_prefix}{raw_id}",
                kind=kind,
                prompt=prompt,
                risk=risk,
                aspect=aspect,
                source=source,
                extra=extra,
            )
        )
        if limit is not None and len(result.items) >= limit:
            break
    return result


def write_bank(items: list[BankItem], path: str | os.PathLike[str], *, append: bool = False) -> None:
    """Write (or append to) a bank file; a fresh file is written atomically."""
    from aibeian.files import atomic_write_text

    text = "".join(json.dumps(i.to_dict(), ensure_ascii=False) + "\n" for i in items)
    if append and Path(path).is_file():
        existing = Path(path).read_text(encoding="utf-8")
        if existing and not existing.endswith("\n"):
            existing += "\n"
        atomic_write_text(path, existing + text)
    else:
        atomic_write_text(path, text)
