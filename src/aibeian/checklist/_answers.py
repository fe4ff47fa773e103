"""The answers file: ``item_id: yes|no|na``, or ``item_id: {answer, evidence, note}``. Every mistake in it is
collected and reported at once with its line, because a user fixing sixty answers one error per run gives up.

YAML reads a bare ``yes``/``no`` as a boolean; we accept that as the answer it plainly means.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aibeian.checklist._loader import Checklist, load_checklist
from aibeian.errors import InputError, Problem
from aibeian.files import LocatedDocument, load_structured

AnswerValue = Literal["yes", "no", "na"]
ANSWER_VALUES: tuple[AnswerValue, ...] = ("yes", "no", "na")
# How advisers' spreadsheets write the same three answers; read as the canonical value.
ANSWER_ALIASES: dict[str, AnswerValue] = {
    "n/a": "na",
    "n.a.": "na",
    "不适用": "na",
    "是": "yes",
    "否": "no",
}
_KEYS = ("answer", "evidence", "note")


@dataclass(frozen=True)
class Answer:
    item_id: str
    answer: AnswerValue
    evidence: tuple[Path, ...] = ()
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Answers:
    """The validated answers of one file, by item id. Blank answers (``item_id:``) are left out."""

    path: str
    answers: dict[str, Answer] = field(default_factory=dict)

    def get(self, item_id: str) -> Answer | None:
        return self.answers.get(item_id)


def _value(raw: Any) -> AnswerValue | None:
    if raw is True:
        return "yes"
    if raw is False:
        return "no"
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in ANSWER_VALUES:
            return text
        return ANSWER_ALIASES.get(text)
    return None


def nearest_id(key: str, ids: list[str]) -> str | None:
    """The known id closest to a mistyped one, comparing whole ids first, then their last segment (where
    people usually go wrong: consent.separate vs separate_consent)."""
    close = difflib.get_close_matches(key, ids, n=1, cutoff=0.6)
    if close:
        return close[0]
    tails = {i.rsplit(".", 1)[-1]: i for i in ids}
    near = difflib.get_close_matches(key.rsplit(".", 1)[-1], list(tails), n=1, cutoff=0.6)
    return tails[near[0]] if near else None


class _Reader:
    def __init__(self, doc: LocatedDocument, checklist: Checklist) -> None:
        self.doc = doc
        self.ids = checklist.ids()
        self.base = Path(doc.path).parent
        self.problems: list[Problem] = []

    def problem(self, message: str, key: tuple[str | int, ...], *, item: str, expected: str | None) -> None:
        self.problems.append(
            Problem(message, path=self.doc.path, line=self.doc.line_of(key), field=item, expected=expected)
        )

    def evidence(self, item: str, raw: Any) -> tuple[Path, ...]:
        values = raw if isinstance(raw, list) else [raw]
        paths = []
        for i, value in enumerate(values):
            key: tuple[str | int, ...] = (
                (item, "evidence", i) if isinstance(raw, list) else (item, "evidence")
            )
            if not isinstance(value, str) or not value.strip():
                self.problem(
                    "evidence must be a file path", key, item=item, expected="a path or a list of paths"
                )
                continue
            path = Path(value)
            resolved = path if path.is_absolute() else self.base / path
            if not resolved.exists():
                self.problem(
                    f"evidence file {value} does not exist",
                    key,
                    item=item,
                    expected=f"a path relative to the answers file's folder ({self.base})",
                )
                continue
            if not resolved.is_file():  # a folder has no single digest for the dossier's evidence index
                self.problem(
                    f"evidence {value} is a folder, not a file",
                    key,
                    item=item,
                    expected="the files themselves, as a list: [folder/a.pdf, folder/b.xlsx]",
                )
                continue
            paths.append(resolved)
        return tuple(paths)

    def read(self, item: str, raw: Any) -> Answer | None:
        line = self.doc.line_of((item,))
        if item not in self.ids:
            near = nearest_id(item, self.ids)
            hint = f" (did you mean {near}?)" if near else ""
            self.problem(
                f"unknown item id{hint}",
                (item,),
                item=item,
                expected="an id listed by aibeian checklist show",
            )
            return None
        if raw is None:
            return None
        expected = "yes, no or na"
        if not isinstance(raw, dict):
            value = _value(raw)
            if value is None:
                self.problem(f"answer {raw!r} is not yes, no or na", (item,), item=item, expected=expected)
                return None
            return Answer(item, value, line=line)
        for key in raw:
            if key not in _KEYS:
                self.problem(
                    f"unknown key {key!r}", (item, str(key)), item=item, expected="answer, evidence, note"
                )
        if "answer" not in raw:
            self.problem("the answer is missing", (item,), item=item, expected=expected)
            return None
        value = _value(raw["answer"])
        if value is None:
            self.problem(
                f"answer {raw['answer']!r} is not yes, no or na",
                (item, "answer"),
                item=item,
                expected=expected,
            )
        evidence = self.evidence(item, raw["evidence"]) if raw.get("evidence") is not None else ()
        note = raw.get("note")
        if note is not None and not isinstance(note, str):
            self.problem("note must be text", (item, "note"), item=item, expected="a string")
            note = None
        return Answer(item, value, evidence, note, line) if value is not None else None


def load_answers(path: str | os.PathLike[str], checklist: Checklist | None = None) -> Answers:
    """Read and validate an answers file; every problem found is raised together as one InputError."""
    p = Path(path)
    if not p.is_file():
        raise InputError("the answers file does not exist", path=str(p))
    doc = load_structured(p)
    if doc.data is None:
        return Answers(path=str(p))
    if not isinstance(doc.data, dict):
        raise InputError(
            "the answers file must be a mapping of item ids to answers",
            path=str(p),
            line=1,
            expected="item_id: yes|no|na, or item_id: {answer: yes, evidence: path, note: text}",
        )
    reader = _Reader(doc, checklist or load_checklist())
    answers = {}
    for key, raw in doc.data.items():
        answer = reader.read(str(key), raw)
        if answer is not None:
            answers[answer.item_id] = answer
    if reader.problems:
        raise InputError(problems=reader.problems)
    return Answers(path=str(p), answers=answers)
