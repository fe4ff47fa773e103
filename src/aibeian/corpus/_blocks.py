"""Read a shard's files as blocks of items (columns), not one Python object per item.

The shard function spends its time in the matcher only if reading costs little per item, so JSONL lines are
parsed a block at a time by pyarrow's C++ JSON reader and Parquet record batches stay Arrow arrays; texts
reach the matcher still in Arrow form. The item-by-item readers in ``_readers`` stay the reference: a block
takes the fast path only when pyarrow provably reads it as they do, and otherwise falls back to them line by
line, so both give the same items, keys, problems and line numbers. pyarrow accepts a few inputs that
``json.loads`` refuses, each excluded before parsing:

- a line that is not one object (two objects on one line, an object over two lines): every non-blank line
  must start with ``{``, end with ``}``, and the block must parse to exactly one row per such line;
- a byte-order mark or other non-JSON whitespace at a line's edge: caught by the same ``{``…``}`` rule;
- invalid UTF-8 outside the text field (pyarrow skips fields it does not keep): the whole block is validated.

Everything else pyarrow refuses (control characters, bad escapes, lone surrogates, a non-text ``text``,
duplicate keys, ``1e400``) fails the block, which is then read line by line with the reference reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from aibeian.corpus._arrow import mask, validate_utf8
from aibeian.corpus._readers import (
    STREAM_ERRORS,
    Corrupt,
    Item,
    detect_format,
    iter_jsonl,
    iter_text_file,
    jsonl_record,
    no_column,
    open_stream,
)

__all__ = ["BLOCK_BYTES", "Block", "iter_blocks"]

BLOCK_BYTES = 1 << 20
"""JSONL is parsed in blocks of about this many bytes (whole lines)."""
FALLBACK_ITEMS = 4096
"""Items per block when the reference reader reads (after a broken stream)."""
_JSON_SPACE = b" \t\r\n"


@dataclass
class Block:
    """Items of one stretch of a file, in file order: ``texts`` is a pyarrow string array or a list of str
    (the same values either way); ``values`` holds the source-field values, or is None without one."""

    keys: list[str] = field(default_factory=list)
    texts: Any = field(default_factory=list)
    values: list[object] | None = None
    corrupt: list[Corrupt] = field(default_factory=list)

    @classmethod
    def of_items(cls, items: list[Item | Corrupt], with_values: bool) -> Block:
        good = [i for i in items if isinstance(i, Item)]
        return cls(
            keys=[i.key for i in good],
            texts=[i.text for i in good],
            values=[i.source_value for i in good] if with_values else None,
            corrupt=[i for i in items if isinstance(i, Corrupt)],
        )


def _object_lines(data: bytes, first: int) -> tuple[int, list[int] | range | None]:
    """The block's line count, and the line numbers of its non-blank lines (None if one is not a lone
    ``{``…``}``). The common case, every line ``{``…``}``, is checked in numpy at the line breaks."""
    a = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(a == 10)
    final = bool(a[-1] == 10)
    count = len(breaks) + (not final)
    inner = breaks[:-1] if final else breaks
    last = len(a) - 2 if final else len(a) - 1  # the last line's last byte
    if (
        a[0] == 123  # {
        and last >= 0
        and a[last] == 125  # }
        and bool((a[inner + 1] == 123).all())
        and bool((a[inner - 1] == 125).all())
    ):
        return count, range(first, first + count)
    numbers: list[int] = []
    for i, raw in enumerate(_lines(data)):
        if raw.strip():
            body = raw.strip(_JSON_SPACE)
            if body[:1] != b"{" or body[-1:] != b"}":
                return count, None
            numbers.append(first + i)
    return count, numbers


def _lines(data: bytes) -> list[bytes]:
    """The lines of a block as a line reader returns them (split at ``\n`` only, each keeping it)."""
    parts = data.split(b"\n")
    last = parts.pop()
    return [p + b"\n" for p in parts] + ([last] if last else [])


def _arrow_block(
    data: bytes, numbers: list[int] | range, relpath: str, text_field: str, source_field: str | None
) -> Block | None:
    """The block parsed by pyarrow, or None when it might differ from the reference reader."""
    import pyarrow as pa
    import pyarrow.json as pj

    if not numbers:
        return None
    if not validate_utf8(data):  # pyarrow does not check fields it skips
        return None
    schema = [(text_field, pa.string())]
    if source_field:
        schema.append((source_field, pa.string()))
    try:
        table = pj.read_json(
            pa.BufferReader(data),
            read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),
            parse_options=pj.ParseOptions(
                explicit_schema=pa.schema(schema), unexpected_field_behavior="ignore"
            ),
        )
    except (pa.ArrowInvalid, ValueError, OverflowError):
        return None
    if table.num_rows != len(numbers):
        return None
    texts = table.column(0).combine_chunks()
    values = table.column(1).to_pylist() if source_field else None
    if not texts.null_count:
        return Block([f"{relpath}:{n}" for n in numbers], texts, values)
    valid = texts.is_valid().to_pylist()
    block = Block(values=[] if source_field else None)
    for row, (n, ok) in enumerate(zip(numbers, valid, strict=True)):
        if ok:
            block.keys.append(f"{relpath}:{n}")
            if values is not None and block.values is not None:
                block.values.append(values[row])
        else:
            block.corrupt.append(Corrupt(relpath, n, f'field "{text_field}" is missing'))
    block.texts = texts.filter(mask(np.array(valid, dtype=bool)))
    return block


def _jsonl_block(
    data: bytes, first: int, relpath: str, text_field: str, source_field: str | None
) -> tuple[int, Block]:
    """(lines read, the block) for whole lines ``data`` starting at line ``first``."""
    count, numbers = _object_lines(data, first)
    if numbers is not None and not numbers:
        return count, Block(values=[] if source_field else None)
    if numbers is not None and source_field != text_field:
        fast = _arrow_block(data, numbers, relpath, text_field, source_field)
        if fast is not None:
            return count, fast
    found = (
        jsonl_record(raw, first + i, relpath, text_field, source_field) for i, raw in enumerate(_lines(data))
    )
    return count, Block.of_items([r for r in found if r is not None], source_field is not None)


def _jsonl_blocks(
    path: Path, relpath: str, compression: str | None, text_field: str, source_field: str | None
) -> Iterator[Block]:
    """Whole lines, about BLOCK_BYTES at a time. If the stream breaks (a truncated or corrupt compressed
    file), what the failed read returned is lost here, so the reference reader takes over after the lines
    already handed on and stops exactly where it would have on its own."""
    done = 0
    with open_stream(path, compression) as fh:
        try:
            while data := fh.read(BLOCK_BYTES):
                if not data.endswith(b"\n"):
                    data += fh.readline()
                count, block = _jsonl_block(data, done + 1, relpath, text_field, source_field)
                yield block
                done += count
            return
        except STREAM_ERRORS:
            pass
    rest = iter_jsonl(path, relpath, compression, text_field, source_field, after=done)
    while chunk := list(islice(rest, FALLBACK_ITEMS)):
        yield Block.of_items(chunk, source_field is not None)


def _parquet_blocks(
    path: Path, relpath: str, row_group: int | None, text_field: str, source_field: str | None
) -> Iterator[Block]:
    """One block per record batch; the same rows, keys and problems as ``_readers._iter_parquet``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from aibeian.corpus._readers import BATCH_ROWS

    row = 0
    with_values = source_field is not None
    try:
        pf = pq.ParquetFile(path)
        groups = [row_group] if row_group is not None else list(range(pf.num_row_groups))
        row = sum(pf.metadata.row_group(i).num_rows for i in range(groups[0])) if groups else 0
        names = set(pf.schema_arrow.names)
        if text_field not in names:
            yield Block(
                corrupt=[Corrupt(relpath, None, no_column(text_field, names))],
                values=[] if with_values else None,
            )
            return
        columns = [text_field] + ([source_field] if source_field and source_field in names else [])
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=groups, columns=columns):
            column = batch.column(0)
            count = len(column)
            values = batch.column(1).to_pylist() if len(columns) > 1 else [None] * count
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                texts = column.cast(pa.string()) if pa.types.is_large_string(column.type) else column
                valid = texts.is_valid().to_pylist() if texts.null_count else None
                block = Block(values=[] if with_values else None)
                for i in range(count):
                    if valid is None or valid[i]:
                        block.keys.append(f"{relpath}#{row + i + 1}")
                        if block.values is not None:
                            block.values.append(values[i])
                    else:
                        block.corrupt.append(Corrupt(relpath, row + i + 1, f'column "{text_field}" is null'))
                block.texts = texts if valid is None else texts.filter(mask(np.array(valid, dtype=bool)))
            else:
                items: list[Item | Corrupt] = []
                for i, (text, value) in enumerate(zip(column.to_pylist(), values, strict=True)):
                    if isinstance(text, str):
                        items.append(Item(f"{relpath}#{row + i + 1}", text, value))
                    else:
                        what = "null" if text is None else f"not text ({type(text).__name__})"
                        items.append(Corrupt(relpath, row + i + 1, f'column "{text_field}" is {what}'))
                block = Block.of_items(items, with_values)
            row += count
            yield block
    except (OSError, ValueError, KeyError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        yield Block(
            corrupt=[Corrupt(relpath, row + 1, f"cannot read the Parquet file: {exc}")],
            values=[] if with_values else None,
        )


def iter_blocks(
    path: Path,
    relpath: str,
    *,
    row_group: int | None = None,
    text_field: str = "text",
    source_field: str | None = None,
) -> Iterator[Block]:
    """Every item of one file (or one Parquet row group), block by block, in file order."""
    with_values = source_field is not None
    detected = detect_format(path)
    if detected is None:
        yield Block(
            corrupt=[Corrupt(relpath, None, "unsupported file type")], values=[] if with_values else None
        )
        return
    fmt, compression = detected
    if fmt == "jsonl":
        yield from _jsonl_blocks(path, relpath, compression, text_field, source_field)
    elif fmt == "parquet":
        yield from _parquet_blocks(path, relpath, row_group, text_field, source_field)
    else:
        yield Block.of_items(list(iter_text_file(path, relpath, compression)), with_values)
