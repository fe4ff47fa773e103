"""Read a shard's files as blocks of items (columns), not one Python object per item.

The shard function spends its time in the matcher only if reading costs little per item. JSONL blocks are
read by our C lexer (``_cjsonl``: one pass validating each line, finding the text and source fields,
counting characters and hashing the item ids for the sample) and their texts are decoded only for the items
the scan checks; where the extension is not built, or a block holds a line the lexer leaves to Python, they
are parsed a block at a time by pyarrow's C++ JSON reader. Parquet record batches stay Arrow arrays. The item-by-item readers in ``_readers`` stay the reference: a block
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
import numpy.typing as npt

from aibeian.corpus._arrow import int32s, lengths_of, mask, one_string, validate_utf8
from aibeian.corpus._readers import (
    STREAM_ERRORS,
    Corrupt,
    Item,
    Span,
    detect_format,
    iter_jsonl,
    iter_text_file,
    jsonl_record,
    open_span,
    open_stream,
)

__all__ = ["BLOCK_BYTES", "Block", "decoded", "iter_blocks"]

NATIVE: Any
try:
    from aibeian.corpus import _cjsonl as NATIVE  # noqa: N812 - a switch the tests set to None
except ImportError:  # the optional extension was not built: pyarrow reads every block
    NATIVE = None
"""The C lexer, or None (tests set None to exercise the pyarrow path)."""

BLOCK_BYTES = 1 << 20
"""JSONL is parsed in blocks of about this many bytes (whole lines)."""
FALLBACK_ITEMS = 4096
"""Items per block when the reference reader reads (after a broken stream)."""
_JSON_SPACE = b" \t\r\n"


@dataclass
class Lexed:
    """A block as the C lexer left it: the raw bytes and where each item's text literal lies in them."""

    data: bytes
    offsets: bytearray
    lengths: bytearray
    escaped: bytearray


@dataclass
class Block:
    """Items of one stretch of a file, in file order, as columns: ``joined`` holds their texts separated by
    ``\n`` (one string, decoded once) unless ``lexed`` keeps them undecoded, ``lengths`` their lengths;
    ``values`` the source-field values (None without a source field); ``corrupt`` the lines or rows that
    could not be read; ``hashes`` the items' (technical, manual) sample hashes when the reader computed them
    for ``seed``."""

    keys: list[str] = field(default_factory=list)
    joined: str = ""
    lengths: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    values: list[object] | None = None
    corrupt: list[Corrupt] = field(default_factory=list)
    lexed: Lexed | None = None
    hashes: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None = None
    seed: int | None = None

    def text_of(self, index: npt.NDArray[np.int64] | None = None) -> str:
        """The texts at ``index`` (all when None), joined by ``\n``: decoded now if the block was lexed."""
        if self.lexed is not None:
            raw = self.lexed
            at = None if index is None else np.ascontiguousarray(index, dtype=np.int64)
            return str(NATIVE.texts(raw.data, raw.offsets, raw.lengths, raw.escaped, self.lengths, at))
        if index is None:
            return self.joined
        starts = np.zeros(len(self.lengths), dtype=np.int64)
        np.cumsum(self.lengths[:-1] + 1, out=starts[1:])
        return "\n".join(
            [
                self.joined[a : a + n]
                for a, n in zip(starts[index].tolist(), self.lengths[index].tolist(), strict=True)
            ]
        )

    @classmethod
    def of_items(cls, items: list[Item | Corrupt], with_values: bool) -> Block:
        good = [i for i in items if isinstance(i, Item)]
        texts = [i.text for i in good]
        return cls(
            keys=[i.key for i in good],
            joined="\n".join(texts),
            lengths=np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)),
            values=[i.source_value for i in good] if with_values else None,
            corrupt=[i for i in items if isinstance(i, Corrupt)],
        )

    @classmethod
    def of_problem(cls, problem: Corrupt, with_values: bool) -> Block:
        return cls(corrupt=[problem], values=[] if with_values else None)

    def texts(self) -> list[str]:
        """The texts one by one (for tests and rare paths; the scan works on ``text_of``)."""
        joined = self.text_of()
        ends = np.cumsum(self.lengths + 1) - 1
        return [joined[e - n : e] for e, n in zip(ends.tolist(), self.lengths.tolist(), strict=True)]


def decoded(texts: Any) -> tuple[str, npt.NDArray[np.int64]]:
    """An Arrow string array (no nulls) as one ``\n``-joined string and the texts' lengths. Decoding checks
    the UTF-8 (UnicodeDecodeError), which neither pyarrow's JSON nor its Parquet reader does."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(texts):
        return "", np.zeros(0, dtype=np.int64)
    one = pa.ListArray.from_arrays(int32s(np.array([0, len(texts)])), texts)
    joined = pc.binary_join(one, one_string(b"\n"))
    begin, end = np.frombuffer(joined.buffers()[1], dtype=np.int32, count=2).tolist()
    return str(memoryview(joined.buffers()[2])[begin:end], "utf-8"), lengths_of(texts)


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


def _parse(data: bytes, schema: Any, extra: str) -> Any:
    import pyarrow as pa
    import pyarrow.json as pj

    return pj.read_json(
        pa.BufferReader(data),
        read_options=pj.ReadOptions(use_threads=False, block_size=len(data) + 1),
        parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior=extra),
    )


def _arrow_block(
    data: bytes,
    numbers: list[int] | range,
    relpath: str,
    fields: tuple[str, str | None],
    seen: dict[str, bool],
) -> Block | None:
    """The block parsed by pyarrow, or None when it might differ from the reference reader.

    Lines holding only the text (and source) field are parsed strictly, and decoding the texts checks all
    the UTF-8 there is outside the JSON syntax; lines with other fields need the whole block checked first,
    since pyarrow skips those fields unread. ``seen`` remembers per file that other fields occur."""
    import pyarrow as pa

    text_field, source_field = fields
    schema = pa.schema([(text_field, pa.string())] + ([(source_field, pa.string())] if source_field else []))
    table = None
    if not seen.get("extra"):
        try:
            table = _parse(data, schema, "error")
        except (pa.ArrowInvalid, ValueError, OverflowError):
            seen["extra"] = True
    try:
        if table is None:
            if not validate_utf8(data):
                return None
            table = _parse(data, schema, "ignore")
        if table.num_rows != len(numbers):
            return None
        texts = table.column(0).combine_chunks()
        values = table.column(1).to_pylist() if source_field else None
        if not texts.null_count:
            joined, lengths = decoded(texts)
            return Block([f"{relpath}:{n}" for n in numbers], joined, lengths, values)
        valid = texts.is_valid().to_pylist()
        joined, lengths = decoded(texts.filter(mask(np.array(valid, dtype=bool))))
    except (pa.ArrowInvalid, ValueError, OverflowError):  # UnicodeDecodeError is a ValueError
        return None
    block = Block(joined=joined, lengths=lengths, values=[] if source_field else None)
    for row, (n, ok) in enumerate(zip(numbers, valid, strict=True)):
        if ok:
            block.keys.append(f"{relpath}:{n}")
            if values is not None and block.values is not None:
                block.values.append(values[row])
        else:
            block.corrupt.append(Corrupt(relpath, n, f'field "{text_field}" is missing'))
    return block


def _lexed_block(
    data: bytes, first: int, relpath: str, fields: tuple[str, str | None], seed: int
) -> tuple[int, Block] | None:
    """(lines read, the block) by the C lexer, or None when a line must be read by the reference reader."""
    text_field, source_field = fields
    try:
        prefix = f"{relpath}:".encode()
        found = NATIVE.lex(
            data,
            text_field.encode(),
            None if source_field is None else source_field.encode(),
            prefix,
            first,
            str(seed).encode(),
        )
    except (UnicodeEncodeError, OverflowError):  # a name with lone surrogates; a line number past int64
        return None
    if found is None:
        return None
    count, lines, chars, offsets, lengths, escaped, tech, manual, values = found
    keys = [f"{relpath}:{n}" for n in np.frombuffer(lines, dtype=np.int64).tolist()]
    block = Block(
        keys=keys,
        lengths=np.frombuffer(chars, dtype=np.int64),
        values=values,
        lexed=Lexed(data, offsets, lengths, escaped),
        hashes=(np.frombuffer(tech, dtype=np.uint64), np.frombuffer(manual, dtype=np.uint64)),
        seed=seed,
    )
    return count, block


def _jsonl_block(
    data: bytes,
    first: int,
    relpath: str,
    fields: tuple[str, str | None],
    seen: dict[str, bool],
    seed: int | None = None,
) -> tuple[int, Block]:
    """(lines read, the block) for whole lines ``data`` starting at line ``first``."""
    text_field, source_field = fields
    if NATIVE is not None and source_field != text_field:
        lexed = _lexed_block(data, first, relpath, fields, 0 if seed is None else seed)
        if lexed is not None:
            return lexed
    count, numbers = _object_lines(data, first)
    if numbers is not None and not numbers:
        return count, Block(values=[] if source_field else None)
    if numbers is not None and source_field != text_field:
        fast = _arrow_block(data, numbers, relpath, fields, seen)
        if fast is not None:
            return count, fast
    found = (
        jsonl_record(raw, first + i, relpath, text_field, source_field) for i, raw in enumerate(_lines(data))
    )
    return count, Block.of_items([r for r in found if r is not None], source_field is not None)


def _jsonl_blocks(
    path: Path,
    relpath: str,
    compression: str | None,
    text_field: str,
    source_field: str | None,
    seed: int | None = None,
    span: Span | None = None,
) -> Iterator[Block]:
    """Whole lines, about BLOCK_BYTES at a time (of ``span`` only, when given). If the stream breaks (a
    truncated or corrupt compressed file), what the failed read returned is lost here, so the reference reader
    takes over after the lines already handed on and stops exactly where it would have on its own."""
    done = 0 if span is None else span.first_line - 1
    seen: dict[str, bool] = {}
    stream = open_stream(path, compression) if span is None else open_span(path, span)
    with stream as fh:
        try:
            while data := fh.read(BLOCK_BYTES):
                if not data.endswith(b"\n"):
                    data += fh.readline()
                count, block = _jsonl_block(data, done + 1, relpath, (text_field, source_field), seen, seed)
                yield block
                done += count
            return
        except STREAM_ERRORS:
            pass
    rest = iter_jsonl(path, relpath, compression, text_field, source_field, after=done, span=span)
    while chunk := list(islice(rest, FALLBACK_ITEMS)):
        yield Block.of_items(chunk, source_field is not None)


def iter_blocks(
    path: Path,
    relpath: str,
    *,
    row_group: int | None = None,
    span: Span | None = None,
    text_field: str = "text",
    source_field: str | None = None,
    seed: int | None = None,
) -> Iterator[Block]:
    """Every item of one file (or one Parquet row group, or one span of a JSONL file), block by block, in file
    order. With ``seed``, a reader that can hash the items as it reads them does (``Block.hashes``)."""
    with_values = source_field is not None
    detected = detect_format(path)
    if detected is None:
        yield Block.of_problem(Corrupt(relpath, None, "unsupported file type"), with_values)
        return
    fmt, compression = detected
    if fmt == "jsonl":
        yield from _jsonl_blocks(path, relpath, compression, text_field, source_field, seed, span)
    elif fmt == "parquet":
        from aibeian.corpus._parquet_blocks import parquet_blocks  # it builds on this module

        yield from parquet_blocks(path, relpath, row_group, text_field, source_field)
    else:
        yield Block.of_items(list(iter_text_file(path, relpath, compression)), with_values)
