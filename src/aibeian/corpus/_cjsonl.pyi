"""Types of the C extension built from _native/jsonl.c (optional: see _blocks.py)."""

from typing import Any

from typing_extensions import Buffer

def lex(
    data: Buffer,
    text_field: bytes,
    source_field: bytes | None,
    prefix: Buffer,
    first: int,
    seed_key: Buffer,
    /,
) -> (
    tuple[
        int,
        bytearray,
        bytearray,
        bytearray,
        bytearray,
        bytearray,
        bytearray,
        bytearray,
        list[str | None] | None,
    ]
    | None
): ...
def texts(
    data: Buffer, text_offset: Buffer, text_length: Buffer, escaped: Buffer, chars: Buffer, index: Any, /
) -> str: ...
def newlines(data: Buffer, /) -> int: ...
