"""A company's own document templates (``--templates DIR``), checked before anything is built.

Templates are data a person edits by hand, so a mistake in one must read like a mistake in any other input:
file, line and field — not a traceback from the renderer, and not a silently ignored file or placeholder.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from aibeian.dossier._schema import field_defs
from aibeian.errors import InputError, Problem
from aibeian.files import load_structured

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class _Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    zh: str
    en: str


class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p: _Text | None = None
    facts: list[str] | None = None
    table: str | None = None
    risks: Literal["all", "keyword_scope"] | None = None
    run: Literal["evaluation", "corpus", "conclusion"] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> _Block:
        if len(self.model_fields_set) != 1:
            raise ValueError("a block has exactly one of p, facts, table, risks, run")
        return self


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")
    heading: _Text
    id: str | None = None
    blocks: list[_Block] = []


class _Template(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: _Text
    sections: list[_Section]


def _field_problems(data: dict[str, Any], source: str, line_of: Any) -> list[Problem]:
    """Every field a template names — ``{path}`` placeholders, ``facts`` rows, ``table`` — must exist."""
    known = {f.path for f in field_defs()}
    problems = []

    def check(path: str, where: tuple[Any, ...]) -> None:
        if path in known:
            return
        close = difflib.get_close_matches(path, sorted(known), n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        problems.append(
            Problem(
                f"unknown fact field {path!r}{hint}",
                path=source,
                line=line_of(where),
                field=".".join(map(str, where)),
                expected="a field path of src/aibeian/dossier/data/facts.yaml",
            )
        )

    def texts(node: dict[str, Any], where: tuple[Any, ...]) -> None:
        for lang in ("zh", "en"):
            for m in _PLACEHOLDER.finditer(node[lang]):
                check(m.group(1), (*where, lang))

    texts(data["title"], ("title",))
    for i, section in enumerate(data["sections"]):
        texts(section["heading"], ("sections", i, "heading"))
        for j, block in enumerate(section.get("blocks") or []):
            where = ("sections", i, "blocks", j)
            if "p" in block:
                texts(block["p"], (*where, "p"))
            for k, path in enumerate(block.get("facts") or []):
                check(path, (*where, "facts", k))
            if "table" in block:
                check(block["table"], (*where, "table"))
    return problems


def load_own_template(path: Path) -> dict[str, Any]:
    """Read and check one template file; every problem in it is reported at once."""
    doc = load_structured(path)
    try:
        _Template.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(
            problems=[
                Problem(
                    "not a mapping" if e["type"] == "model_type" else e["msg"],
                    path=str(path),
                    line=doc.line_of(tuple(e["loc"])),
                    field=".".join(map(str, e["loc"])) or None,
                    expected="{zh: …, en: …} for a text"
                    if e["type"] == "model_type"
                    else "a template like those in src/aibeian/dossier/templates/",
                )
                for e in exc.errors()
            ]
        ) from None
    data: dict[str, Any] = doc.data
    problems = _field_problems(data, str(path), doc.line_of)
    if problems:
        raise InputError(problems=problems)
    return data


def check_templates_dir(directory: Path, document_ids: list[str]) -> None:
    """The folder exists, every ``*.yaml`` in it is named after a document (a typo would be silently unused)
    and is a valid template."""
    if not directory.is_dir():
        raise InputError("templates folder not found", path=str(directory), field="--templates")
    problems = []
    for file in sorted(directory.glob("*.yaml")):
        if file.stem not in document_ids:
            close = difflib.get_close_matches(file.stem, document_ids, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}.yaml"?)' if close else ""
            problems.append(
                Problem(
                    f"no document {file.stem!r}{hint}",
                    path=str(file),
                    field="--templates",
                    expected="<document-id>.yaml, e.g. " + ", ".join(sorted(document_ids)[:3]) + " …",
                )
            )
            continue
        try:
            load_own_template(file)
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems=problems)
