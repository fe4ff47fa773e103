"""Decode a user's text file as UTF-8, and say exactly where and why when it is not."""

from __future__ import annotations

import os
from pathlib import Path

from aibeian.errors import InputError

_BOM = b"\xef\xbb\xbf"


def _looks_like_gbk(data: bytes) -> bool:
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def read_text(path: str | os.PathLike[str], *, allow_bom: bool = True) -> str:
    """Return the file's text. A UTF-8 BOM is dropped (or refused when ``allow_bom`` is false); a file in
    another encoding is an InputError with the line and column of the first undecodable byte and, when the
    bytes read as GBK/GB18030, a hint to convert the file."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=str(p)) from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a file", path=str(p)) from None
    except PermissionError:
        raise InputError("cannot read the file (permission denied)", path=str(p)) from None
    if data.startswith(_BOM):
        if not allow_bom:
            raise InputError(
                "the file starts with a UTF-8 byte-order mark (BOM)",
                path=str(p),
                line=1,
                column=1,
                expected="UTF-8 without BOM",
            )
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        hint = (
            "the file looks GBK/GB18030-encoded; convert it with: iconv -f GB18030 -t UTF-8"
            if _looks_like_gbk(data)
            else "UTF-8 text"
        )
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02X})",
            path=str(p),
            line=line,
            column=column,
            expected=hint,
        ) from None
