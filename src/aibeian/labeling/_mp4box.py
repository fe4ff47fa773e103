"""Reading the AIGC record from MP4/M4A boxes without decoding or loading the media.

ffmpeg writes QuickTime metadata as ``moov/udta/meta`` with a ``keys`` box (mdta names) and an ``ilst``
whose item types are 1-based key indexes; iTunes-style tools write ``----`` freeform items instead. We read
both, walking top-level boxes with seeks so a multi-gigabyte video costs only its ``moov``.
"""

from __future__ import annotations

import struct
from pathlib import Path

__all__ = ["Mp4Error", "ffmpeg_record_args", "is_record_tag", "read_mp4_tags"]


class Mp4Error(ValueError):
    """The MP4 structure is broken: truncated, or no movie header."""


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload start, box end) for each child box in data[start:end]."""
    out, pos = [], start
    while pos + 8 <= end:
        size, btype = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise Mp4Error(f"box {btype!r} overruns its parent (truncated or corrupt)")
        out.append((btype, pos + header, pos + size))
        pos += size
    return out


def _data_value(data: bytes, start: int, end: int) -> str | None:
    for btype, s, _e in _boxes(data, start, end):
        if btype == b"data":
            return data[s + 8 : _e].decode("utf-8", "replace")
    return None


def _meta_tags(data: bytes, start: int, end: int) -> list[tuple[str, str]]:
    if data[start + 4 : start + 8] != b"hdlr":
        start += 4  # ISO full box: version and flags come first
    children = _boxes(data, start, end)
    keys: list[str] = []
    for btype, s, _e in children:
        if btype == b"keys":
            (count,) = struct.unpack(">I", data[s + 4 : s + 8])
            pos = s + 8
            for _ in range(count):
                (ksize,) = struct.unpack(">I", data[pos : pos + 4])
                keys.append(data[pos + 8 : pos + ksize].decode("utf-8", "replace"))
                pos += ksize
    tags: list[tuple[str, str]] = []
    for btype, s, e in children:
        if btype != b"ilst":
            continue
        for item, is_, ie in _boxes(data, s, e):
            if item == b"----":
                name = ""
                for sub, ss, se in _boxes(data, is_, ie):
                    if sub == b"name":
                        name = data[ss + 4 : se].decode("utf-8", "replace")
                value = _data_value(data, is_, ie)
                if value is not None:
                    tags.append((f"freeform:{name}", value))
                continue
            index = int.from_bytes(item, "big")
            if 1 <= index <= len(keys):
                value = _data_value(data, is_, ie)
                if value is not None:
                    tags.append((f"keys:{keys[index - 1]}", value))
    return tags


def read_mp4_tags(path: Path) -> list[tuple[str, str]]:
    """Every (``keys:NAME`` or ``freeform:NAME``, value) in the movie-level metadata."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(12)
        if len(head) < 8 or head[4:8] != b"ftyp":
            raise Mp4Error("not an MP4/M4A file (no ftyp box)")
        pos, moov = 0, None
        while pos + 8 <= size:
            fh.seek(pos)
            header = fh.read(16)
            box_size, btype = struct.unpack(">I4s", header[:8])
            if box_size == 1:
                (box_size,) = struct.unpack(">Q", header[8:16])
            elif box_size == 0:
                box_size = size - pos
            if box_size < 8 or pos + box_size > size:
                raise Mp4Error(f"{btype.decode('latin-1')} box runs past the end of the file (truncated)")
            if btype == b"moov":
                fh.seek(pos)
                moov = fh.read(box_size)
            pos += box_size
    if moov is None:
        raise Mp4Error("no moov box (truncated or still being written)")
    tags: list[tuple[str, str]] = []
    for btype, s, e in _boxes(moov, 8, len(moov)):
        if btype == b"meta":
            tags += _meta_tags(moov, s, e)
        if btype == b"udta":
            for sub, ss, se in _boxes(moov, s, e):
                if sub == b"meta":
                    tags += _meta_tags(moov, ss, se)
    return tags


def is_record_tag(where: str, key: str) -> bool:
    """Whether a tag from ``read_mp4_tags`` is an AIGC record: ffmpeg writes the bare key, exiftool the
    QuickTime-namespaced ``com.apple.quicktime.AIGC``, iTunes-style tools a freeform ``AIGC`` item."""
    name = where.split(":", 1)[1]
    return name in (key, f"com.apple.quicktime.{key}", f"com.apple.iTunes:{key}") or (
        where.startswith("freeform:") and name == key
    )


def ffmpeg_record_args(path: Path, key: str, value: str) -> list[str]:
    """ffmpeg options that leave exactly one record: ours under the bare key, other spellings emptied
    (an empty ``-metadata NAME=`` deletes the tag), since the standard allows one copy per file."""
    args = ["-movflags", "+use_metadata_tags+faststart", "-metadata", f"{key}={value}"]
    for where, _value in read_mp4_tags(path):
        name = where.split(":", 1)[1]
        if is_record_tag(where, key) and name != key and where.startswith("keys:"):
            args += ["-metadata", f"{name}="]
    return args
