"""Parsing a library or allow-list CSV, collecting every hard problem with its line and column.

A filing team edits the library in a spreadsheet, so parsing has to be forgiving where spreadsheets are
(a byte-order mark, extra columns, trailing empty lines) and exact where a mistake would silently weaken
the filter (an unknown risk id, a keyword that is only punctuation, a row with more fields than the
header). Softer findings (an empty keyword) become Findings that ``check`` reports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from dataclasses import dataclass, field

from aibeian.errors import InputError, Problem
from aibeian.files import read_text
from aibeian.keywords._entry import HEADER_HINT, KNOWN_COLUMNS, Finding, Keyword
from aibeian.keywords._normalise import normalise_keyword, normalise_many
from aibeian.standards import load_standards

__all__ = ["parse_file"]


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


def parse_file(path: str | os.PathLike[str], *, allow: bool) -> _Parsed:
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
    ok = True
    if not keyword:
        parsed.findings.append(
            Finding("empty", "error", "empty or whitespace-only keyword (row ignored)", line)
        )
        ok = False
    elif any(ch in keyword for ch in "\r\n\u2028\u2029"):
        problems.append(
            Problem(
                "a keyword cannot contain a line break",
                path=source,
                line=line,
                column=_column(row, columns.index("keyword")),
                field="keyword",
            )
        )
        ok = False
    elif not (literal_of[keyword] if keyword in literal_of else normalise_keyword(keyword)):
        problems.append(
            Problem(
                f"keyword {keyword!r} has only punctuation, symbols or spaces: nothing is left to match",
                path=source,
                line=line,
                column=_column(row, columns.index("keyword")),
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
                column=_column(row, columns.index("risk")),
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
                column=_column(row, columns.index("risk")),
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
