"""``sources.yaml``: which source every item belongs to, and what the filing says about each source.

A filing is judged per source (a source with more than 5 % illegal content must not be used), so every item
must land in exactly one declared source. Items are assigned by the value of a record field (``source_field``)
when the record has one, else by the first source whose path globs match the item's relative path. The
licence and provenance notes are carried into the report verbatim: they are what the reviewer reads.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Any

from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured

__all__ = ["Source", "SourcesConfig", "load_sources"]

UNASSIGNED = "unassigned"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TOP_KEYS = {"text_field", "source_field", "sources"}
_SOURCE_KEYS = {"id", "name", "paths", "values", "licence", "license", "provenance", "notes"}


@dataclass(frozen=True)
class Source:
    """One declared source of training data."""

    id: str
    name: str = ""
    paths: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    licence: str = ""
    provenance: str = ""
    notes: str = ""

    def matches_path(self, relpath: str) -> bool:
        return any(_glob_match(relpath, pattern) for pattern in self.paths)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "paths": list(self.paths),
            "values": list(self.values),
            "licence": self.licence,
            "provenance": self.provenance,
            "notes": self.notes,
        }


def _glob_match(relpath: str, pattern: str) -> bool:
    """fnmatch (``*`` also crosses ``/``), where ``**/`` may match no folder and a plain folder name matches
    everything under it: what people write in a .gitignore-like list, without a second glob dialect."""
    pattern = pattern.strip("/")
    if fnmatch.fnmatchcase(relpath, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(relpath, pattern[3:]):
        return True
    if not any(ch in pattern for ch in "*?["):
        return relpath.startswith(pattern + "/")  # a folder name: everything under it
    return False


@dataclass(frozen=True)
class SourcesConfig:
    """The parsed ``sources.yaml``: the text field to read, an optional source field, the sources."""

    sources: tuple[Source, ...]
    text_field: str = "text"
    source_field: str | None = None
    path: str | None = None
    _by_value: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for s in self.sources:
            for value in s.values or (s.id,):  # without explicit values, a record names a source by its id
                self._by_value.setdefault(value, s.id)

    def by_path(self, relpath: str) -> str | None:
        """The source of a whole file by its path, or None when no glob matches."""
        for s in self.sources:
            if s.matches_path(relpath):
                return s.id
        return None

    def by_value(self, value: object) -> str | None:
        return self._by_value.get(str(value)) if value is not None else None

    def ids(self) -> list[str]:
        return [s.id for s in self.sources]

    def to_dict(self) -> dict[str, Any]:
        return {
            "text_field": self.text_field,
            "source_field": self.source_field,
            "sources": [s.to_dict() for s in self.sources],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourcesConfig:
        sources = tuple(
            Source(**{**s, "paths": tuple(s["paths"]), "values": tuple(s["values"])}) for s in data["sources"]
        )
        return cls(sources, data["text_field"], data["source_field"])


def _text(
    doc: LocatedDocument, raw: dict[str, Any], key: str, where: tuple[str | int, ...], problems: list[Problem]
) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        problems.append(Problem("must be text", path=doc.path, line=doc.line_of((*where, key)), field=key))
        return ""
    return str(value).strip()


def _strings(
    doc: LocatedDocument, raw: dict[str, Any], key: str, where: tuple[str | int, ...], problems: list[Problem]
) -> tuple[str, ...]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        problems.append(
            Problem(
                "must be a list of text",
                path=doc.path,
                line=doc.line_of((*where, key)),
                field=key,
                expected='e.g. ["news/*.jsonl"]',
            )
        )
        return ()
    return tuple(str(v) for v in value)


def load_sources(path: str | os.PathLike[str]) -> SourcesConfig:
    """Load and validate ``sources.yaml``; every mistake is collected and raised with its line."""
    doc = load_structured(path)
    data = doc.data
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list) or not data["sources"]:
        raise InputError(
            "no sources declared",
            path=where,
            line=doc.line_of(("sources",)) or 1,
            field="sources",
            expected="a list of sources with id, paths or values, licence",
        )
    problems: list[Problem] = []
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(
                Problem(
                    "unknown key",
                    path=where,
                    line=doc.line_of((key,)),
                    field=str(key),
                    expected=", ".join(sorted(_TOP_KEYS)),
                )
            )
    text_field = _text(doc, data, "text_field", (), problems) or "text"
    source_field = _text(doc, data, "source_field", (), problems) or None
    sources: list[Source] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["sources"]):
        at: tuple[str | int, ...] = ("sources", i)
        if not isinstance(raw, dict):
            problems.append(Problem("a source must be a mapping", path=where, line=doc.line_of(at)))
            continue
        for key in raw:
            if key not in _SOURCE_KEYS:
                problems.append(
                    Problem(
                        "unknown key",
                        path=where,
                        line=doc.line_of((*at, key)),
                        field=str(key),
                        expected=", ".join(sorted(_SOURCE_KEYS - {"license"})),
                    )
                )
        sid = _text(doc, raw, "id", at, problems)
        if not sid or not _ID.match(sid) or sid == UNASSIGNED:
            problems.append(
                Problem(
                    f"invalid source id {sid!r}",
                    path=where,
                    line=doc.line_of((*at, "id")),
                    field="id",
                    expected="letters, digits, '_', '-', '.' (not 'unassigned')",
                )
            )
        elif sid in seen:
            problems.append(
                Problem(
                    f"source id {sid!r} appears twice", path=where, line=doc.line_of((*at, "id")), field="id"
                )
            )
        seen.add(sid)
        paths = _strings(doc, raw, "paths", at, problems)
        values = _strings(doc, raw, "values", at, problems)
        if not paths and not (values or source_field):
            problems.append(
                Problem(
                    "the source matches nothing",
                    path=where,
                    line=doc.line_of(at),
                    field="paths",
                    expected="paths globs, or values with a top-level source_field",
                )
            )
        licence = _text(doc, raw, "licence", at, problems) or _text(doc, raw, "license", at, problems)
        sources.append(
            Source(
                sid,
                _text(doc, raw, "name", at, problems) or sid,
                paths,
                values,
                licence,
                _text(doc, raw, "provenance", at, problems),
                _text(doc, raw, "notes", at, problems),
            )
        )
    owner: dict[str, str] = {}
    for i, src in enumerate(sources):
        for value in src.values or ((src.id,) if source_field else ()):
            if value in owner and owner[value] != src.id:
                problems.append(
                    Problem(
                        f"value {value!r} is claimed by sources {owner[value]} and {src.id}",
                        path=where,
                        line=doc.line_of(("sources", i, "values")),
                        field="values",
                        expected="each source_field value in one source",
                    )
                )
            owner.setdefault(value, src.id)
    if problems:
        raise InputError(problems=problems)
    return SourcesConfig(tuple(sources), text_field, source_field, where)
