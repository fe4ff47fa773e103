"""The keyword library and allow-list files: UTF-8 CSV with a header, loaded with every mistake located.

A filing team edits the library in a spreadsheet, so the loader has to be forgiving where spreadsheets are
(a byte-order mark, extra columns, trailing empty lines) and exact where a mistake would silently weaken
the filter (an unknown risk id, a keyword that is only punctuation, a row with more fields than the
header). Every hard problem in the file is collected and raised together, so one run names them all.
Softer findings (an empty keyword, an over-long one) do not stop loading; ``check`` reports them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from aibeian.errors import InputError, Problem
from aibeian.files import atomic_output, read_text
from aibeian.keywords._normalise import normalise_keyword, normalise_many
from aibeian.standards import load_standards

__all__ = ["AllowList", "Finding", "Keyword", "Library"]

KNOWN_COLUMNS = ("keyword", "risk", "note", "added", "source")
HEADER_HINT = "a header line: keyword,risk[,note][,added][,source]"


@dataclass(frozen=True)
class Keyword:
    """One library row. ``extra`` keeps columns we do not know, so a round trip loses nothing."""

    keyword: str
    risk: str
    note: str = ""
    added: str = ""
    source: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    line: int = 0

    @property
    def normalised(self) -> str:
        return normalise_keyword(self.keyword)

    def row(self, columns: Iterable[str]) -> list[str]:
        values = {
            "keyword": self.keyword,
            "risk": self.risk,
            "note": self.note,
            "added": self.added,
            "source": self.source,
            **dict(self.extra),
        }
        return [values.get(c, "") for c in columns]


@dataclass(frozen=True)
class Finding:
    """Something ``check`` reports about an entry that did not stop the file from loading."""

    kind: str
    severity: Literal["error", "warning", "info"]
    message: str
    line: int | None = None
    keyword: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "keyword": self.keyword,
            "message": self.message,
        }


def _column(row: list[str], index: int) -> int:
    """1-based column of field ``index`` in an unquoted CSV line: good enough to point at the spot."""
    return 1 + sum(len(f) + 1 for f in row[:index])


@dataclass
class _Parsed:
    columns: list[str]
    entries: list[Keyword] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _header(rows: list[tuple[int, list[str]]], source: str, allow: bool) -> list[str]:
    if not rows:
        raise InputError("the file is empty", path=source, line=1, column=1, expected=HEADER_HINT)
    line, raw = rows[0]
    columns = [c.strip().lower() for c in raw]
    missing = [c for c in ("keyword", "risk") if c not in columns]
    if missing:
        what = "an allow-list" if allow else "a keyword library"
        raise InputError(
            f"missing header column(s) {', '.join(missing)} (the first line of {what} is its header)",
            path=source,
            line=line,
            column=1,
            expected=HEADER_HINT,
        )
    seen: set[str] = set()
    for i, c in enumerate(columns):
        if not c or c in seen:
            raise InputError(
                "empty or repeated header column",
                path=source,
                line=line,
                column=_column(raw, i),
                field=c or None,
                expected="unique column names",
            )
        seen.add(c)
    return columns


def _parse(path: str | os.PathLike[str], *, allow: bool) -> _Parsed:
    source = str(path)
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    previous = 0
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append((previous + 1, row))
            previous = reader.line_num
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=source, line=reader.line_num) from None
    parsed = _Parsed(columns=_header(rows, source, allow))
    keyword_risks = {r.id for r in load_standards().keyword_risks()}
    all_risks = set(load_standards().risk_ids())
    at = parsed.columns.index("keyword")
    words = sorted({row[at].strip() for _, row in rows[1:] if len(row) > at and "\n" not in row[at]})
    literal_of = dict(zip(words, normalise_many(words)[0], strict=True))  # one vectorised pass for all rows
    for line, row in rows[1:]:
        _parse_row(
            parsed,
            source,
            line,
            row,
            allow=allow,
            keyword_risks=keyword_risks,
            all_risks=all_risks,
            literal_of=literal_of,
        )
    return parsed


def _parse_row(
    parsed: _Parsed,
    source: str,
    line: int,
    row: list[str],
    *,
    allow: bool,
    keyword_risks: set[str],
    all_risks: set[str],
    literal_of: dict[str, str],
) -> None:
    columns = parsed.columns
    problems = parsed.problems
    if len(row) > len(columns):
        problems.append(
            Problem(
                f"too many fields ({len(row)}; the header has {len(columns)})",
                path=source,
                line=line,
                column=_column(row, len(columns)),
                expected="quote fields that contain a comma",
            )
        )
        return
    values = dict(zip(columns, [c.strip() for c in row], strict=False))
    keyword, risk = values.get("keyword", ""), values.get("risk", "")
    kcol, rcol = _column(row, columns.index("keyword")), _column(row, columns.index("risk"))
    ok = True
    if not keyword:
        parsed.findings.append(
            Finding("empty", "error", "empty or whitespace-only keyword (row ignored)", line)
        )
        ok = False
    elif any(ch in keyword for ch in "\r\n\u2028\u2029"):
        problems.append(
            Problem(
                "a keyword cannot contain a line break", path=source, line=line, column=kcol, field="keyword"
            )
        )
        ok = False
    elif not (literal_of[keyword] if keyword in literal_of else normalise_keyword(keyword)):
        problems.append(
            Problem(
                f"keyword {keyword!r} has only punctuation, symbols or spaces: nothing is left to match",
                path=source,
                line=line,
                column=kcol,
                field="keyword",
                expected="at least one letter, digit or Chinese character",
            )
        )
        ok = False
    if allow and risk:
        problems.append(
            Problem(
                f"an allow-list entry has no risk, found {risk!r}",
                path=source,
                line=line,
                column=rcol,
                field="risk",
                expected="an empty risk column",
            )
        )
        ok = False
    elif not allow and risk not in keyword_risks:
        what = (
            "is empty"
            if not risk
            else (
                f"{risk!r} is not a keyword risk (only A.1 and A.2 are)"
                if risk in all_risks
                else f"{risk!r} is not a risk id in the standards"
            )
        )
        problems.append(
            Problem(
                what,
                path=source,
                line=line,
                column=rcol,
                field="risk",
                expected="a risk id from the standards (A.1.1 … A.1.8, A.2.1 … A.2.9)",
            )
        )
        ok = False
    added = values.get("added", "")
    if added:
        try:
            dt.date.fromisoformat(added)
        except ValueError:
            problems.append(
                Problem(
                    f"{added!r} is not a date",
                    path=source,
                    line=line,
                    column=_column(row, columns.index("added")),
                    field="added",
                    expected="YYYY-MM-DD",
                )
            )
            ok = False
    if ok:
        extra = tuple((c, values.get(c, "")) for c in columns if c not in KNOWN_COLUMNS)
        parsed.entries.append(
            Keyword(keyword, risk, values.get("note", ""), added, values.get("source", ""), extra, line)
        )


def _content_hash(columns: list[str], entries: Iterable[Keyword]) -> str:
    """sha256 over the rows, fields joined by the ASCII unit separator and rows by the record separator
    (neither can appear in a CSV cell a spreadsheet writes); json.dumps per row was 5x slower on 51k rows."""
    lines = ["\x1f".join(columns), *("\x1f".join(e.row(columns)) for e in entries)]
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
        parsed = _parse(path, allow=False)
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
        parsed = _parse(path, allow=True)
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
