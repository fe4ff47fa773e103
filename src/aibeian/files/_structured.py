"""YAML and JSON documents that remember the line of every key, so validation errors can name it.

PyYAML's composer keeps a mark on every node; we walk the node tree once and keep a map from key paths
(``("modalities", 0)``) to 1-based line and column. JSON is read with ``json`` first (its errors carry the
exact position), then composed with the YAML loader only to recover line numbers.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aibeian.errors import InputError
from aibeian.files._text import read_text

KeyPath = tuple[str | int, ...]


@dataclass
class LocatedDocument:
    """A parsed document plus where each of its keys and items starts in the file."""

    data: Any
    path: str
    lines: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def line_of(self, key: KeyPath) -> int | None:
        """The line of ``key``, or of its nearest located parent."""
        while True:
            if key in self.lines:
                return self.lines[key][0]
            if not key:
                return None
            key = key[:-1]

    def column_of(self, key: KeyPath) -> int | None:
        while True:
            if key in self.lines:
                return self.lines[key][1]
            if not key:
                return None
            key = key[:-1]


def packaged_yaml(text: str) -> Any:
    """Parse YAML data we ship ourselves (the standards, rules, checklists): trusted and already validated by
    our tests, so it needs no line numbers and takes libyaml's parser when PyYAML has it — 9x faster, which
    is most of a CLI command's start-up (every command loads the standards)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class _SafeLineLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (YAML 1.2 has no implicit timestamps, and PyYAML's raise a bare
    ValueError on "2025-13-01"): each loader validates its own dates and names the line."""


_SafeLineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, tuple[int, int]], source: str) -> None:
    lines.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise InputError(
                    "key appears twice",
                    path=source,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    field=key,
                )
            seen.add(key)
            lines[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            _walk(value_node, (*path, key), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, source)


def _yaml_error(exc: yaml.YAMLError, source: str) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return InputError(
            f"malformed YAML: {problem}", path=source, line=mark.line + 1, column=mark.column + 1
        )
    return InputError(f"malformed YAML: {problem}", path=source)


def parse_structured(text: str, *, source: str, fmt: str | None = None) -> LocatedDocument:
    """Parse ``text`` as JSON (``fmt='json'``) or YAML and locate its keys. ``source`` names it in errors."""
    lines: dict[KeyPath, tuple[int, int]] = {}
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"malformed JSON: {exc.msg}", path=source, line=exc.lineno, column=exc.colno
            ) from None
        try:
            node = yaml.compose(text, Loader=_SafeLineLoader)
        except yaml.YAMLError:
            node = None  # JSON that PyYAML cannot compose (rare escapes): keep data, lose line numbers
        if node is not None:
            _walk(node, (), lines, source)
        return LocatedDocument(data=data, path=source, lines=lines)
    try:
        node = yaml.compose(text, Loader=_SafeLineLoader)
        if node is None:
            return LocatedDocument(data=None, path=source, lines=lines)
        _walk(node, (), lines, source)
        data = yaml.load(text, Loader=_SafeLineLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, source) from None
    return LocatedDocument(data=data, path=source, lines=lines)


def load_structured(path: str | os.PathLike[str]) -> LocatedDocument:
    """Read a YAML (``.yaml``/``.yml``) or JSON (``.json``) file; other suffixes are read as YAML."""
    p = Path(path)
    text = read_text(p)
    fmt = "json" if p.suffix.lower() == ".json" else "yaml"
    return parse_structured(text, source=str(p), fmt=fmt)
