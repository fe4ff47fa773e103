"""Parquet record batches as blocks: the text column stays Arrow until the one decode per batch, with the
same rows, keys and problems as the reference reader (``_readers._iter_parquet``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from aibeian.corpus._arrow import mask
from aibeian.corpus._blocks import Block, decoded
from aibeian.corpus._readers import Corrupt, Item, open_parquet

__all__ = ["parquet_blocks"]


def _arrow_batch(
    column: Any, batch: Any, has_values: bool, relpath: str, row: int, text_field: str, with_values: bool
) -> Block:
    """A Parquet record batch with a string text column, kept in Arrow until the one decode."""
    import pyarrow as pa

    texts = column.cast(pa.string()) if pa.types.is_large_string(column.type) else column
    valid = texts.is_valid().to_pylist() if texts.null_count else None
    try:
        joined, lengths = decoded(texts if valid is None else texts.filter(mask(np.array(valid, dtype=bool))))
    except UnicodeDecodeError:
        column.to_pylist()  # raises what the reference reader raises, so the message is the same
        raise
    values = batch.column(1).to_pylist() if has_values else [None] * len(column)
    if valid is None:
        keys = [f"{relpath}#{row + i}" for i in range(1, len(column) + 1)]
        return Block(keys, joined, lengths, values if with_values else None)
    block = Block(joined=joined, lengths=lengths, values=[] if with_values else None)
    for i, ok in enumerate(valid):
        if ok:
            block.keys.append(f"{relpath}#{row + i + 1}")
            if block.values is not None:
                block.values.append(values[i])
        else:
            block.corrupt.append(Corrupt(relpath, row + i + 1, f'column "{text_field}" is null'))
    return block


def parquet_blocks(
    path: Path, relpath: str, row_group: int | None, text_field: str, source_field: str | None
) -> Iterator[Block]:
    """One block per record batch; the same rows, keys and problems as ``_readers._iter_parquet``."""
    import pyarrow as pa

    from aibeian.corpus._readers import BATCH_ROWS

    row = 0
    with_values = source_field is not None
    try:
        opened = open_parquet(path, row_group, text_field, source_field)
        if isinstance(opened, str):
            yield Block.of_problem(Corrupt(relpath, None, opened), with_values)
            return
        pf, groups, row, columns = opened
        for batch in pf.iter_batches(batch_size=BATCH_ROWS, row_groups=groups, columns=columns):
            column = batch.column(0)
            count = len(column)
            if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
                block = _arrow_batch(column, batch, len(columns) > 1, relpath, row, text_field, with_values)
            else:
                values = batch.column(1).to_pylist() if len(columns) > 1 else [None] * count
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
        yield Block.of_problem(Corrupt(relpath, row + 1, f"cannot read the Parquet file: {exc}"), with_values)
