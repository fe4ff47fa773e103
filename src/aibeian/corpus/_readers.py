"""Stream the items of one shard, never the whole file: JSONL lines, Parquet record batches, text files.

Compression is chosen by suffix (``.gz``, ``.zst``/``.zstd``). A line or row that cannot be read (invalid
JSON, invalid UTF-8, a missing or non-text field, a truncated compressed stream) is yielded as a ``Corrupt``
record with its file and line, so the caller counts and reports it instead of dropping it.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import zstandard

__all__ = [
    "COMPRESSIONS",
    "FORMATS",
    "STREAM_ERRORS",
    "Corrupt",
    "Item",
    "Span",
    "detect_format",
    "iter_items",
    "iter_jsonl",
    "iter_text_file",
    "jsonl_record",
    "no_column",
    "open_parquet",
    "open_span",
    "open_stream",
    "stream_error",
]

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".zstd": "zstd"}
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet", ".txt": "text", ".md": "text"}
BATCH_ROWS = 4096


@dataclass(frozen=True, slots=True)
class Item:
    """One corpus item. ``key`` is stable across runs and engines (relative path plus line or row)."""

    key: str
    text: str
    source_value: object = None


@dataclass(frozen=True, slots=True)
class Span:
    """A part of an uncompressed JSONL file: bytes ``[start, end)``, cut at line ends, whose first line is line
    ``first_line`` of the file — so a part's items have the ids, line numbers and sample hashes they have when
    the whole file is read (a big file is several shards: parallel, and resumable part by part)."""

    start: int
    end: int
    first_line: int

    def to_list(self) -> list[int]:
        return [self.start, self.end, self.first_line]

    @classmethod
    def from_list(cls, value: object) -> Span | None:
        """The span a shard result or plan recorded (None: the whole file)."""
        if not isinstance(value, list | tuple) or len(value) != 3:
            return None
        start, end, first = (int(v) for v in value)
        return cls(start, end, first)


def open_span(path: Path, span: Span) -> io.BufferedReader:
    """The bytes of ``span`` as a buffered stream (lines, reads) that ends where the span does."""
    raw = open(path, "rb", buffering=0)  # noqa: SIM115 - owned and closed by the returned reader
    raw.seek(span.start)
    return io.BufferedReader(_Bounded(raw, span.end - span.start), buffer_size=1 << 20)


class _Bounded(io.RawIOBase):
    """At most ``limit`` bytes of ``raw`` from where it stands (read, readinto, lines through the buffer)."""

    def __init__(self, raw: io.FileIO, limit: int) -> None:
        self._raw, self._left = raw, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._left <= 0:
            return 0
        n = self._raw.readinto(view[: min(len(view), self._left)])
        self._left -= n or 0
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


@dataclass(frozen=True, slots=True)
class Corrupt:
    """An item that could not be read; ``line`` is a line number (JSONL/text) or a 1-based row (Parquet)."""

    path: str
    line: int | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message}


def detect_format(path: Path) -> tuple[str, str | None] | None:
    """(format, compression) from the suffixes, or None for a file we do not read."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = None
    if suffixes and suffixes[-1] in COMPRESSIONS:
        compression = COMPRESSIONS[suffixes.pop()]
    if not suffixes or suffixes[-1] not in FORMATS:
        return None
    fmt = FORMATS[suffixes[-1]]
    if fmt == "parquet" and compression:
        return None  # Parquet compresses inside the file
    return fmt, compression


def open_stream(path: Path, compression: str | None) -> IO[bytes]:
    if compression == "gzip":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # owns (and closes) the file
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller, or by the zstd reader that owns it
    if compression == "zstd":
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True))
    return raw


STREAM_ERRORS = (OSError, EOFError, zlib.error, zstandard.ZstdError)


def jsonl_record(
    raw: bytes, number: int, relpath: str, text_field: str, source_field: str | None
) -> Item | Corrupt | None:
    """One JSONL line as an item, a located problem, or None for a blank line (the reference semantics the
    columnar reader in ``_blocks`` must reproduce exactly)."""
    if not raw.strip():
        return None
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Corrupt(relpath, number, f"not valid UTF-8 (byte 0x{raw[exc.start]:02X})")
    except json.JSONDecodeError as exc:
        return Corrupt(relpath, number, f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(record, dict):
        return Corrupt(relpath, number, "not a JSON object")
    text = record.get(text_field)
    if not isinstance(text, str):
        what = "missing" if text is None else f"not text ({type(text).__name__})"
        return Corrupt(relpath, number, f'field "{text_field}" is {what}')
    return Item(f"{relpath}:{number}", text, record.get(source_field) if source_field else None)


def stream_error(relpath: str, number: int, exc: BaseException) -> Corrupt:
    """The record for a stream that broke after line ``number`` (a truncated or corrupt compressed file)."""
    return Corrupt(relpath, number + 1, f"cannot read the rest of the file: {exc or type(exc).__name__}")


def iter_jsonl(
    path: Path,
    relpath: str,
    compression: str | None,
    text_field: str,
    source_field: str | None,
    *,
    after: int = 0,
    span: Span | None = None,
) -> Iterator[Item | Corrupt]:
    """Line by line (of ``span`` only, when given); lines up to number ``after`` are read but not parsed (a
    reader resuming part-way)."""
    first = 1 if span is None else span.first_line
    number = first - 1
    stream = open_stream(path, compression) if span is None else open_span(path, span)
    with stream as fh:
        try:
            for number, raw in enumerate(fh, start=first):
                if number <= after:
                    continue
                found = jsonl_record(raw, number, relpath, text_field, source_field)
                if found is not None:
                    yield found
        except STREAM_ERRORS as exc:
            yield stream_error(relpath, number, exc)


def _iter_parquet(
    path: Path, relpath: str, row_group: int | None, text_field: str, source_field: str | None
) -> Iterator[Item | Corrupt]:

    row = 0
    try:
        opened = open_parquet(path, row_group, text_field, source_field)
        if isinstance(opened, str):
            yield Corrupt(relpath, None, opened)
            return
        pf, groups, row, columns = opened
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=groups, columns=columns):
            texts = batch.column(0).to_pylist()
            values = batch.column(1).to_pylist() if len(columns) > 1 else [None] * len(texts)
            for text, value in zip(texts, values, strict=True):
                row += 1
                if not isinstance(text, str):
                    what = "null" if text is None else f"not text ({type(text).__name__})"
                    yield Corrupt(relpath, row, f'column "{text_field}" is {what}')
                    continue
                yield Item(f"{relpath}#{row}", text, value)
    except (OSError, ValueError, KeyError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        yield Corrupt(relpath, row + 1, f"cannot read the Parquet file: {exc}")


def open_parquet(
    path: Path, row_group: int | None, text_field: str, source_field: str | None
) -> tuple[Any, list[int], int, list[str]] | str:
    """(the file, its row groups to read, the rows before them, the columns to read), or the problem of a file
    without the text column. pyarrow errors propagate (the callers report them with the row they reached)."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    groups = [row_group] if row_group is not None else list(range(pf.num_row_groups))
    row = sum(pf.metadata.row_group(i).num_rows for i in range(groups[0])) if groups else 0
    names = set(pf.schema_arrow.names)
    if text_field not in names:
        return no_column(text_field, names)
    return pf, groups, row, [text_field] + ([source_field] if source_field and source_field in names else [])


def no_column(text_field: str, names: set[str]) -> str:
    """The problem of a Parquet file without the text column (the plan refuses these before a scan)."""
    return f'no column "{text_field}" (columns: {", ".join(sorted(names))})'


def iter_text_file(path: Path, relpath: str, compression: str | None) -> Iterator[Item | Corrupt]:
    try:
        with open_stream(path, compression) as fh:
            data = fh.read()
    except STREAM_ERRORS as exc:
        yield Corrupt(relpath, None, f"cannot read the file: {exc or type(exc).__name__}")
        return
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Corrupt(relpath, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02X})")
        return
    yield Item(relpath, text)


def iter_items(
    path: Path,
    relpath: str,
    *,
    row_group: int | None = None,
    span: Span | None = None,
    text_field: str = "text",
    source_field: str | None = None,
) -> Iterator[Item | Corrupt]:
    """Every item of one file (or one Parquet row group, or one span of a JSONL file) in file order."""
    detected = detect_format(path)
    if detected is None:
        yield Corrupt(relpath, None, "unsupported file type")
        return
    fmt, compression = detected
    if fmt == "jsonl":
        yield from iter_jsonl(path, relpath, compression, text_field, source_field, span=span)
    elif fmt == "parquet":
        yield from _iter_parquet(path, relpath, row_group, text_field, source_field)
    else:
        yield from iter_text_file(path, relpath, compression)
