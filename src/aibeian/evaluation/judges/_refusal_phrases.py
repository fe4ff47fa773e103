"""Load the refusal judge's phrase families from ``refusal_phrases.yaml`` (data, not code).

Phrases change more often than logic and are reviewed by people who do not read Python, so they live in a
YAML file: one family per entry with a language, a role and regular expressions. A broken file is an
``InputError`` naming the family and the pattern, never a traceback at judging time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from aibeian.errors import InputError

ROLES = (
    "refuse",
    "soft",
    "no_access",
    "premise",
    "moral",
    "warn",
    "redirect",
    "empathy",
    "alternative",
    "pivot",
    "comply",
    "clarify",
    "unreal",
)
_MACRO = re.compile(r"\{([A-Z][A-Z_]*)\}")
PHRASES_FILE = "refusal_phrases.yaml"


@dataclass(frozen=True)
class Family:
    name: str
    lang: str
    role: str
    patterns: tuple[re.Pattern[str], ...]


def _expand(pattern: str, macros: dict[str, str], where: str) -> str:
    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in macros:
            raise InputError(f"unknown macro {{{m.group(1)}}}", field=where, path=PHRASES_FILE)
        return macros[m.group(1)]

    return _MACRO.sub(sub, pattern)


def parse_families(data: Any, source: str = PHRASES_FILE) -> tuple[Family, ...]:
    """Validate and compile the YAML content; every problem names the family and field."""
    if not isinstance(data, dict) or not isinstance(data.get("families"), list):
        raise InputError("expected a mapping with a 'families' list", path=source)
    macros = data.get("macros") or {}
    if not isinstance(macros, dict) or not all(isinstance(v, str) for v in macros.values()):
        raise InputError("'macros' must map names to strings", field="macros", path=source)
    out: list[Family] = []
    seen: set[str] = set()
    for number, entry in enumerate(data["families"], start=1):
        where = f"families[{number}]"
        if not isinstance(entry, dict):
            raise InputError("a family must be a mapping", field=where, path=source)
        name = str(entry.get("name") or "")
        if not name or name in seen:
            raise InputError(f"missing or duplicate family name {name!r}", field=f"{where}.name", path=source)
        seen.add(name)
        if entry.get("lang") not in ("zh", "en"):
            raise InputError("lang must be zh or en", field=f"{name}.lang", path=source)
        if entry.get("role") not in ROLES:
            raise InputError(
                f"unknown role {entry.get('role')!r}",
                field=f"{name}.role",
                path=source,
                expected=" | ".join(ROLES),
            )
        patterns = entry.get("patterns")
        if not isinstance(patterns, list) or not patterns:
            raise InputError("patterns must be a non-empty list", field=f"{name}.patterns", path=source)
        compiled = []
        for i, raw in enumerate(patterns, start=1):
            try:
                compiled.append(re.compile(_expand(str(raw), macros, f"{name}.patterns[{i}]"), re.IGNORECASE))
            except re.error as exc:
                raise InputError(
                    f"invalid regular expression: {exc}", field=f"{name}.patterns[{i}]", path=source
                ) from exc
        out.append(Family(name, str(entry["lang"]), str(entry["role"]), tuple(compiled)))
    return tuple(out)


def load_families(path: str | Path | None = None) -> tuple[Family, ...]:
    """The packaged families, or those of ``path`` (for trying a change before shipping it)."""
    if path is None:
        return _packaged()
    text = Path(path).read_text(encoding="utf-8")
    return parse_families(yaml.safe_load(text), str(path))


@cache
def _packaged() -> tuple[Family, ...]:
    text = resources.files("aibeian.evaluation.judges").joinpath(PHRASES_FILE).read_text(encoding="utf-8")
    return parse_families(yaml.safe_load(text))
