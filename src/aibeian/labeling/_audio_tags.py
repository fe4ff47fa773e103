"""Where each audio container keeps the AIGC record and our declaration of the notice we prepended.

MP3: ID3v2 ``TXXX`` frames (descriptions ``AIGC`` and ``aibeian_explicit``); WAV: top-level RIFF chunks
``AIGC`` and ``AIBL`` (our own code: mutagen does not write RIFF chunks); FLAC, OGG and Opus: Vorbis comments
``AIGC`` and ``AIBEIAN_EXPLICIT``; M4A: ``moov/udta/meta`` keys (read here, written by ffmpeg). Reading never
decodes audio, so ``verify --implicit-only`` stays fast.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, FLACNoHeaderError
from mutagen.id3 import ID3, TXXX, ID3NoHeaderError

from aibeian.errors import InputError
from aibeian.labeling._fields import implicit_spec
from aibeian.labeling._mp4box import Mp4Error, is_record_tag, read_mp4_tags

__all__ = ["DECLARATION", "key", "read_declared", "read_records", "vorbis_file", "write_tags"]

DECLARATION = "aibeian_explicit"
WAV_DECLARATION = b"AIBL"  # a RIFF chunk id is four characters
_VORBIS_COMMENTS = (".flac", ".ogg", ".opus")


def key() -> str:
    key: str = implicit_spec()["key"]
    return key


# --- RIFF/WAV ------------------------------------------------------------------------------------------
def _riff_chunks(data: bytes, path: Path) -> list[tuple[bytes, int, int]]:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InputError("not a RIFF/WAVE file / WAV 文件损坏", path=str(path))
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise InputError("WAV is truncated (RIFF size exceeds the file) / 文件被截断", path=str(path))
    pos, out = 12, []
    while pos + 8 <= riff_size + 8:
        cid = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        if pos + 8 + size > len(data):
            raise InputError(f"WAV is truncated inside chunk {cid!r} / 文件被截断", path=str(path))
        out.append((cid, pos, pos + 8 + size + (size & 1)))
        pos += 8 + size + (size & 1)
    return out


def _wav_chunk_texts(path: Path, tag: bytes) -> list[str]:
    data = path.read_bytes()
    return [
        data[s + 8 : s + 8 + struct.unpack("<I", data[s + 4 : s + 8])[0]]
        .decode("utf-8", "replace")
        .rstrip("\x00")
        for c, s, _e in _riff_chunks(data, path)
        if c == tag
    ]


def _wav_write(path: Path, tag: bytes, value: str) -> None:
    data = path.read_bytes()
    kept = [data[s:e] for c, s, e in _riff_chunks(data, path) if c != tag]
    body = value.encode("utf-8")
    kept.append(tag + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b""))
    payload = b"WAVE" + b"".join(kept)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(payload)) + payload)


# --- per-container records -----------------------------------------------------------------------------
def vorbis_file(path: Path) -> Any:
    if path.suffix.lower() == ".flac":
        return FLAC(path)
    found = mutagen.File(path)
    if found is None or (found.tags is None and not hasattr(found, "add_tags")):
        raise InputError("not an Ogg Vorbis/Opus/FLAC stream / 无法识别的 Ogg 音频", path=str(path))
    return found


def _tags(path: Path) -> list[tuple[str, str]]:
    """Every (container tag, value) that may hold our record or declaration, read without decoding."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".wav":
            return [("RIFF chunk AIGC", v) for v in _wav_chunk_texts(path, key().encode("ascii"))] + [
                ("decl", v) for v in _wav_chunk_texts(path, WAV_DECLARATION)
            ]
        if suffix == ".mp3":
            try:
                id3 = ID3(path)
            except ID3NoHeaderError:
                return []
            return [
                ("ID3v2 TXXX:AIGC" if t.desc == key() else "decl", str(t.text[0]) if t.text else "")
                for t in id3.getall("TXXX")
                if t.desc in (key(), DECLARATION)
            ]
        if suffix in _VORBIS_COMMENTS:
            tags = vorbis_file(path).tags
            comments = tags.as_dict() if tags is not None and hasattr(tags, "as_dict") else {}
            where = "VORBIS_COMMENT AIGC" if suffix == ".flac" else "Ogg comment header AIGC"
            return [
                (where if k.upper() == key() else "decl", v)
                for k, vs in comments.items()
                if k.upper() in (key(), DECLARATION.upper())
                for v in vs
            ]
        return [
            ("decl" if where == f"keys:{DECLARATION}" else f"MP4 {where}", v)
            for where, v in read_mp4_tags(path)
            if is_record_tag(where, key()) or where == f"keys:{DECLARATION}"
        ]
    except (mutagen.MutagenError, FLACNoHeaderError, Mp4Error, struct.error) as exc:
        raise InputError(f"corrupt or truncated audio ({exc}) / 音频文件损坏", path=str(path)) from exc


def read_records(path: Path) -> list[tuple[str, str | dict[str, Any]]]:
    return [(where, v) for where, v in _tags(path) if where != "decl"]


def read_declared(path: Path) -> dict[str, Any] | None:
    for where, v in _tags(path):
        if where == "decl":
            try:
                found = json.loads(v)
            except json.JSONDecodeError:
                return None
            return found if isinstance(found, dict) else None
    return None


def write_tags(path: Path, value: str, declared: str | None) -> None:
    """Set the record (and, when given, our declaration) in the container's own tag, once."""
    suffix = path.suffix.lower()
    if suffix == ".wav":
        _wav_write(path, key().encode("ascii"), value)
        if declared is not None:
            _wav_write(path, WAV_DECLARATION, declared)
    elif suffix == ".mp3":
        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            tags = ID3()
        tags.delall(f"TXXX:{key()}")
        tags.add(TXXX(encoding=3, desc=key(), text=[value]))
        if declared is not None:
            tags.delall(f"TXXX:{DECLARATION}")
            tags.add(TXXX(encoding=3, desc=DECLARATION, text=[declared]))
        tags.save(path)
    elif suffix in _VORBIS_COMMENTS:
        audio = vorbis_file(path)
        if audio.tags is None:
            audio.add_tags()
        audio[key()] = [value]
        if declared is not None:
            audio[DECLARATION] = [declared]
        audio.save()
