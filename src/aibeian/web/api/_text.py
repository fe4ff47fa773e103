"""Request text that can be stored: JSON may carry lone surrogates (``"\\ud800"``), which no UTF-8 file or
database column accepts; refusing them at the door turns a would-be server error into a 422 on the field."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

__all__ = ["UnicodeText"]


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text (a lone surrogate)") from None
    return value


UnicodeText = Annotated[str, AfterValidator(_encodable)]
