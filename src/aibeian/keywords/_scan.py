"""Scanning files and streams of any size with offsets in code points of the whole original input.

A file is read in blocks of whole lines (no match crosses a line break, so cutting there is exact) and
each block's matches are shifted by the number of code points before it. Files are opened with
``newline=""`` so that a Windows ``\\r\\n`` is two code points, as it is in the original input.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from aibeian.errors import InputError
from aibeian.files import read_text
from aibeian.keywords._matcher import Match, Matcher

__all__ = ["scan_paths", "scan_stream"]

BLOCK_CHARS = 1 << 22


def _blocks(fh: TextIO) -> Iterator[str]:
    pending = ""
    while True:
        block = fh.read(BLOCK_CHARS)
        if not block:
            break
        block = pending + block
        cut = block.rfind("\n") + 1
        if cut == 0:
            pending = block
            continue
        pending = block[cut:]
        yield block[:cut]
    if pending:
        yield pending


def scan_stream(matcher: Matcher, fh: TextIO) -> Iterator[Match]:
    """Matches in a text stream, offsets counted from its first code point."""
    offset = 0
    for block in _blocks(fh):
        for m in matcher.find(block):
            yield m._replace(start=m.start + offset, end=m.end + offset)
        offset += len(block)


def scan_paths(matcher: Matcher, paths: Iterable[str]) -> Iterator[tuple[str, Match]]:
    """``(name, match)`` for every path; ``-`` is standard input. A file that is not UTF-8 is an
    InputError naming the line and column of the first bad byte (and GBK when it looks like GBK)."""
    for name in paths:
        if name == "-":
            stdin = (
                io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
                if hasattr(sys.stdin, "buffer")
                else sys.stdin
            )
            for m in scan_stream(matcher, stdin):
                yield name, m
            continue
        path = Path(name)
        if not path.is_file():
            read_text(path)  # raises the right InputError (missing, a folder, unreadable)
            raise InputError("not a regular file", path=name)
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                for m in scan_stream(matcher, fh):
                    yield name, m
        except UnicodeDecodeError:
            read_text(path)  # locates the bad byte and names GBK when it looks like GBK
            raise
