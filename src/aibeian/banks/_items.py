"""One test-bank item, and reading a bank file so that every mistake in it is reported at once.

A bank is JSONL because filing banks are thousands of lines edited by hand and by scripts: a line is an item,
so an error can name the line, and appending candidates never rewrites the file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from aibeian.errors import InputError, Problem
from aibeian.files import read_text
from aibeian.standards import Standards, load_standards

Kind = Literal["generation", "should_refuse", "should_not_refuse"]
KINDS: tuple[Kind, ...] = ("generation", "should_refuse", "should_not_refuse")
STATUSES = ("accepted", "candidate", "rejected")
_FIELDS = {"id", "prompt", "messages", "kind", "risk", "aspect", "source", "status", "lang", "note"}


@dataclass(frozen=True)
class BankItem:
    """A question for the model. ``status`` other than ``accepted`` keeps machine-made candidates out of
    quotas and evaluations until a person accepts them."""

    id: str
    kind: Kind
    prompt: str | None = None
    messages: tuple[dict[str, str], ...] | None = None
    risk: str | None = None
    aspect: str | None = None
    source: str | None = None
    status: str = "accepted"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    path: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def chat_messages(self) -> list[dict[str, str]]:
        """The messages sent to a chat model: ``messages`` as given, or the prompt as one user turn."""
        if self.messages is not None:
            return [dict(m) for m in self.messages]
        return [{"role": "user", "content": self.prompt or ""}]

    def text(self) -> str:
        """The prompt text used for duplicate detection and reports (last user turn for conversations)."""
        if self.prompt is not None:
            return self.prompt
        users = [m.get("content", "") for m in self.messages or () if m.get("role") == "user"]
        return users[-1] if users else ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "prompt": self.prompt}
        if self.messages is not None:
            out["messages"] = [dict(m) for m in self.messages]
        out.update({"kind": self.kind, "risk": self.risk, "aspect": self.aspect, "source": self.source})
        if self.status != "accepted":
            out["status"] = self.status
        out.update(self.extra)
        return out


def _aspect_ids(standards: Standards) -> dict[str, str]:
    """Aspects may be written as id (N.10) or Chinese name (性别); both map to the id."""
    ids = {a.id: a.id for a in standards.should_not_refuse_aspects}
    ids.update({a.zh: a.id for a in standards.should_not_refuse_aspects})
    return ids


def _parse_messages(
    value: Any, where: dict[str, Any], problems: list[Problem]
) -> tuple[dict[str, str], ...] | None:
    if value is None:
        return None
    ok = (
        isinstance(value, list)
        and value
        and all(
            isinstance(m, dict)
            and m.get("role") in {"system", "user", "assistant"}
            and isinstance(m.get("content"), str)
            for m in value
        )
    )
    if not ok:
        problems.append(
            Problem(
                "not a list of chat messages",
                field="messages",
                expected='[{"role": "user", "content": "…"}]',
                **where,
            )
        )
        return None
    return tuple({"role": m["role"], "content": m["content"]} for m in value)


def parse_item(
    data: Any, *, path: str, line: int, standards: Standards, problems: list[Problem]
) -> BankItem | None:
    """Validate one decoded line; append every problem found and return the item only when it is usable."""
    where: dict[str, Any] = {"path": path, "line": line}
    if not isinstance(data, dict):
        problems.append(
            Problem(
                "a bank line must be a JSON object", expected='{"id": …, "prompt": …, "kind": …}', **where
            )
        )
        return None
    before = len(problems)
    item_id = data.get("id")
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str) or not item_id.strip():
        problems.append(Problem("missing or empty", field="id", expected="a unique string", **where))
    kind = data.get("kind")
    if kind not in KINDS:
        problems.append(Problem(f"unknown kind {kind!r}", field="kind", expected=" | ".join(KINDS), **where))
    prompt = data.get("prompt")
    messages = _parse_messages(data.get("messages"), where, problems)
    if prompt is not None and not isinstance(prompt, str):
        problems.append(Problem("must be a string or null", field="prompt", **where))
    elif (prompt is None or not prompt.strip()) and messages is None and data.get("messages") is None:
        problems.append(
            Problem("missing prompt", field="prompt", expected='a non-empty "prompt" or "messages"', **where)
        )
    risk = data.get("risk")
    risk_ids = set(standards.risk_ids())
    if risk is not None and risk not in risk_ids:
        problems.append(
            Problem(
                f"unknown risk {risk!r}",
                field="risk",
                expected="a risk id from standards (A.1.1 … A.5.2)",
                **where,
            )
        )
    if kind in ("generation", "should_refuse") and risk is None:
        problems.append(
            Problem(f"required for {kind} items", field="risk", expected="a risk id (A.1.1 … A.5.2)", **where)
        )
    aspect = data.get("aspect")
    aspects = _aspect_ids(standards)
    if aspect is not None and aspect not in aspects:
        problems.append(
            Problem(
                f"unknown aspect {aspect!r}",
                field="aspect",
                expected="N.1 … N.13 or its Chinese name",
                **where,
            )
        )
    status = data.get("status", "accepted")
    if status not in STATUSES:
        problems.append(
            Problem(f"unknown status {status!r}", field="status", expected=" | ".join(STATUSES), **where)
        )
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        problems.append(Problem("must be a string or null", field="source", **where))
    if len(problems) > before:
        return None
    extra = {k: v for k, v in data.items() if k not in _FIELDS}
    for k in ("lang", "note"):
        if k in data:
            extra[k] = data[k]
    return BankItem(
        id=str(item_id),
        kind=cast(Kind, kind),
        prompt=prompt,
        messages=messages,
        risk=risk,
        aspect=aspects[aspect] if aspect is not None else None,
        source=source,
        status=status,
        extra=extra,
        path=path,
        line=line,
    )


def iter_bank_lines(path: str | os.PathLike[str]) -> Iterable[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers."""
    for number, raw in enumerate(read_text(path).split("\n"), start=1):
        if raw.strip():
            yield number, raw


def load_bank(
    paths: Sequence[str | os.PathLike[str]], *, standards: Standards | None = None
) -> list[BankItem]:
    """Read one or more bank files. Every malformed line, bad field and repeated id across all files is
    collected and raised as one InputError, so a bank author fixes everything in one pass."""
    standards = standards or load_standards()
    problems: list[Problem] = []
    items: list[BankItem] = []
    seen: dict[str, str] = {}
    given: dict[Path, str] = {}
    for p in paths:
        path = str(Path(p))
        resolved = Path(p).resolve()
        if resolved in given:  # e.g. a shell glob that also matches a file named on its own
            problems.append(Problem(f"the same file is given twice (also as {given[resolved]})", path=path))
            continue
        given[resolved] = path
        for number, raw in iter_bank_lines(p):
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                problems.append(
                    Problem(f"malformed JSON: {exc.msg}", path=path, line=number, column=exc.colno)
                )
                continue
            item = parse_item(data, path=path, line=number, standards=standards, problems=problems)
            if item is None:
                continue
            if item.id in seen:
                problems.append(
                    Problem(f"id {item.id!r} repeats {seen[item.id]}", path=path, line=number, field="id")
                )
                continue
            seen[item.id] = f"{path} line {number}"
            items.append(item)
    if problems:
        raise InputError(problems=problems)
    return items
