"""Load the packaged checklist once, validate it and cross-check it against the standards' document
catalogue, so an item that points at a document the dossier cannot produce is a data bug, not a user's."""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

import yaml
from pydantic import ValidationError

from aibeian.checklist._models import (
    LAWS,
    ArticleRef,
    ChecklistData,
    ChecklistItem,
    Instrument,
    Lang,
    Law,
)
from aibeian.errors import StandardsDataError
from aibeian.files import packaged_yaml
from aibeian.standards import data_text, load_standards

DATA_FILE = "checklist.yaml"
_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Article numbers the way the law texts write them (第二十九条), for n < 1000."""
    if n < 10:
        return _DIGITS[n]
    parts = []
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    if hundreds:
        parts.append(_DIGITS[hundreds] + "百")
        if tens == 0 and ones:
            parts.append("零")
    if tens:
        parts.append(("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十")
    if ones:
        parts.append(_DIGITS[ones])
    return "".join(parts)


@dataclass(frozen=True)
class Checklist:
    """The checklist items with the instruments they cite."""

    version: int
    instruments: tuple[Instrument, ...]
    items: tuple[ChecklistItem, ...]

    def instrument(self, instrument_id: str) -> Instrument:
        for ins in self.instruments:
            if ins.id == instrument_id:
                return ins
        raise KeyError(instrument_id)

    def item(self, item_id: str) -> ChecklistItem:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def ids(self) -> list[str]:
        return [it.id for it in self.items]

    def by_law(self, law: Law) -> list[ChecklistItem]:
        return [it for it in self.items if it.law == law]

    def cite(self, ref: ArticleRef, lang: Lang = "zh") -> str:
        """``个人信息保护法 第二十九条`` / ``PIPL Art. 29``; standards cite clauses, unnumbered refs the name."""
        ins = self.instrument(ref.instrument)
        if lang == "zh":
            parts = [f"第{chinese_number(n)}条" for n in ref.articles] + list(ref.clauses)
            return f"{ins.short_zh} {'、'.join(parts)}".strip()
        if ref.articles:
            label = "Art." if len(ref.articles) == 1 else "Arts."
            nums = ", ".join(str(n) for n in ref.articles)
            tail = f" {label} {nums}" + (f", {', '.join(ref.clauses)}" if ref.clauses else "")
        else:
            tail = f" {', '.join(ref.clauses)}" if ref.clauses else ""
        return f"{ins.short_en}{tail}"

    def article_text(self, item: ChecklistItem, lang: Lang = "zh") -> str:
        sep = "；" if lang == "zh" else "; "
        return sep.join(self.cite(r, lang) for r in item.refs())


def _cross_check(data: ChecklistData) -> list[str]:
    problems = []
    dupes = [i for i, n in Counter(it.id for it in data.items).items() if n > 1]
    problems += [f"item id {i} appears more than once" for i in dupes]
    instruments = {ins.id for ins in data.instruments}
    docs = {d.id for d in load_standards().documents}
    for it in data.items:
        if not it.id.startswith(f"{it.law}."):
            problems.append(f"{it.id}: the id must start with its law ({it.law}.)")
        for ref in it.refs():
            if ref.instrument not in instruments:
                problems.append(f"{it.id}: unknown instrument {ref.instrument}")
        for doc in it.documents():
            if doc.split("#")[0] not in docs:
                problems.append(f"{it.id}: unknown document {doc} (see aibeian standards documents)")
    for law in LAWS:
        if not any(it.law == law for it in data.items):
            problems.append(f"no item for law {law}")
    return problems


@functools.cache
def load_checklist() -> Checklist:
    """The packaged checklist, validated once per process; a bad edit raises StandardsDataError."""
    try:
        raw = packaged_yaml(data_text(DATA_FILE))
        data = ChecklistData.model_validate(raw)
    except yaml.YAMLError as exc:
        raise StandardsDataError(f"standards/data/{DATA_FILE}: malformed YAML: {exc}") from exc
    except ValidationError as exc:
        lines = [
            f"standards/data/{DATA_FILE}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
        ]
        raise StandardsDataError("\n".join(lines)) from exc
    problems = _cross_check(data)
    if problems:
        raise StandardsDataError("\n".join(f"standards/data/{DATA_FILE}: {p}" for p in problems))
    return Checklist(version=data.version, instruments=data.instruments, items=data.items)
