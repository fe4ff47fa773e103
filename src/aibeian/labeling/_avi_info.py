"""The AIGC record in AVI: a ``LIST``/``INFO`` sub-chunk ``AIGC`` (labeling.yaml), which ffmpeg cannot write.

ffmpeg's AVI muxer writes only the INFO tags it knows (IART, ICMT, …), so we add ours after it has
finished. The new ``LIST INFO`` goes at the end of the RIFF chunk: inserting bytes before ``movi`` would
break the absolute offsets of OpenDML (``indx``) indexes. An older AIGC sub-chunk elsewhere is disabled in
place by renaming it ``JUNK`` (same size, nothing moves), so the file keeps exactly one record.
"""

from __future__ import annotations

import struct
from pathlib import Path

from aibeian.errors import InputError

__all__ = ["DECLARATION_ID", "read_avi_info", "write_avi_info"]

DECLARATION_ID = b"AIBL"  # aibeian's record of the visible label it drew (a claim the verifier checks)


def _chunks(data: bytes, start: int, end: int, path: Path) -> list[tuple[bytes, int, int]]:
    out, pos = [], start
    while pos + 8 <= end:
        cid = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        if pos + 8 + size > len(data):
            raise InputError(f"AVI is truncated inside chunk {cid!r} / 视频文件被截断", path=str(path))
        out.append((cid, pos, pos + 8 + size))
        pos += 8 + size + (size & 1)
    return out


def _info_entries(data: bytes, path: Path) -> list[tuple[bytes, int, int]]:
    """(id, start, end) of every INFO sub-chunk in top-level LIST INFO chunks."""
    if data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        raise InputError("not a RIFF/AVI file / AVI 文件损坏", path=str(path))
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise InputError("AVI is truncated (RIFF size exceeds the file) / 视频文件被截断", path=str(path))
    found = []
    for cid, s, e in _chunks(data, 12, riff_size + 8, path):
        if cid == b"LIST" and data[s + 8 : s + 12] == b"INFO":
            found += _chunks(data, s + 12, e, path)
    return found


def read_avi_info(path: Path) -> dict[bytes, list[str]]:
    """Every INFO sub-chunk's text by id (AIGC and our declaration among them)."""
    data = path.read_bytes()
    out: dict[bytes, list[str]] = {}
    for cid, s, e in _info_entries(data, path):
        out.setdefault(cid, []).append(data[s + 8 : e].decode("utf-8", "replace").rstrip("\x00"))
    return out


def write_avi_info(path: Path, values: dict[bytes, str]) -> None:
    """Set INFO sub-chunks ``values`` (id → text): old copies become JUNK, a new LIST INFO is appended."""
    data = bytearray(path.read_bytes())
    for cid, s, _e in _info_entries(bytes(data), path):
        if cid in values:
            data[s : s + 4] = b"JUNK"
    body = b"INFO"
    for cid, text in values.items():
        raw = text.encode("utf-8") + b"\x00"
        body += cid + struct.pack("<I", len(raw)) + raw + (b"\x00" if len(raw) & 1 else b"")
    (riff_size,) = struct.unpack("<I", data[4:8])
    del data[riff_size + 8 :]  # anything after the RIFF chunk is not part of the file
    if riff_size & 1:
        data += b"\x00"
    data += b"LIST" + struct.pack("<I", len(body)) + body
    data[4:8] = struct.pack("<I", len(data) - 8)
    path.write_bytes(bytes(data))
