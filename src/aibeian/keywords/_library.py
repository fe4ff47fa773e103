"""The keyword library and allow-list files: UTF-8 CSV with a header, loaded with every mistake located.

Every hard problem in the file is collected and raised together (see ``_parse``), so one run names them
all. Softer findings (an empty keyword, an over-long one) do not stop loading; ``check`` reports them.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aibeian.errors import InputError
from aibeian.files import atomic_output
from aibeian.keywords._entry import Finding, Keyword
from aibeian.keywords._normalise import normalise_keyword
from aibeian.keywords._parse import parse_file

__all__ = ["AllowList", "Finding", "Keyword", "Library", "coerce_allow"]


_STANDARD = ["keyword", "risk", "note", "added", "source"]


def _content_hash(columns: list[str], entries: Iterable[Keyword]) -> str:
    """sha256 over the rows, fields joined by the ASCII unit separator and rows by the record separator
    (neither can appear in a CSV cell a spreadsheet writes); json.dumps per row was 5x slower on 51k rows.
    Rows with the standard columns and no extra ones skip ``Keyword.row`` (same text, a third of the time:
    this hash is part of every warm start of the matcher)."""
    standard = columns == _STANDARD
    lines = [
        "\x1f".join(columns),
        *(
            "\x1f".join((e.keyword, e.risk, e.note, e.added, e.source))
            if standard and not e.extra
            else "\x1f".join(e.row(columns))
            for e in entries
        ),
    ]
    return hashlib.sha256("\x1e".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Library:
    """A loaded keyword library: entries in file order, plus what ``check`` should say about them."""

    entries: tuple[Keyword, ...]
    columns: tuple[str, ...] = ("keyword", "risk", "note", "added", "source")
    path: str | None = None
    findings: tuple[Finding, ...] = ()

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Library:
        """Load ``path``; raises InputError listing every hard problem (file, line, column)."""
        parsed = parse_file(path, allow=False)
        if parsed.problems:
            raise InputError(problems=parsed.problems)
        return cls(tuple(parsed.entries), tuple(parsed.columns), str(path), tuple(parsed.findings))

    @functools.cached_property
    def content_hash(self) -> str:
        """sha256 of the entries and columns: the identity of a release and of the compiled matcher."""
        return _content_hash(list(self.columns), self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the library as UTF-8 CSV, atomically (never a half-written file)."""
        with atomic_output(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(self.columns)
            writer.writerows(e.row(self.columns) for e in self.entries)


@dataclass(frozen=True)
class AllowList:
    """Phrases never reported, even when they contain a keyword (a benign word around a keyword)."""

    phrases: tuple[str, ...]
    lines: tuple[int, ...] = ()
    path: str | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> AllowList:
        parsed = parse_file(path, allow=True)
        if parsed.problems:
            raise InputError(problems=parsed.problems)
        return cls(tuple(e.keyword for e in parsed.entries), tuple(e.line for e in parsed.entries), str(path))

    @classmethod
    def of(cls, phrases: Iterable[str]) -> AllowList:
        return cls(tuple(p.strip() for p in phrases if p.strip() and normalise_keyword(p)))


def coerce_allow(allow: AllowList | Iterable[str] | str | Path | None) -> AllowList:
    """Accept an AllowList, a path to an allow-list CSV, or plain phrases, as the API promises."""
    if allow is None:
        return AllowList(())
    if isinstance(allow, AllowList):
        return allow
    if isinstance(allow, (str, Path)):
        return AllowList.load(allow)
    return AllowList.of(allow)
