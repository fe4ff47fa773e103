"""A shard's manual-sample reserve on disk: a binary sidecar next to its JSON result.

Why: the reserve holds each shard's smallest manual hashes per source — up to 8,000 (hash, item id) pairs,
often every item of the shard. As JSON it was four fifths of every result file, and writing it (the driver,
once per shard) and reading it back (every assessment) cost about as much per megabyte of corpus as
scanning the sample itself; being serial, it also kept a second worker from speeding a scan up. As numpy
arrays (uint64 hashes, the ids NUL-joined as UTF-8) it is written and read without a Python object per
pair, and only ``corpus sample`` reads it at all.

Results written before the sidecar existed keep their reserve inline; ``load_reserve`` reads both.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from aibeian.errors import InputError
from aibeian.files import atomic_write_bytes

__all__ = ["RESERVE_FIELD", "load_reserve", "reserve_size", "store_reserve"]

RESERVE_FIELD = "manual_reserve"
_FILE_FIELD = "manual_reserve_file"
_SOURCES_FIELD = "manual_reserve_sources"
_SIZE_FIELD = "manual_reserve_bytes"
_SEP = "\0"  # cannot occur in a path, hence in an item id


def store_reserve(result: dict[str, Any], path: Path) -> dict[str, Any]:
    """Write ``result``'s reserve to ``path`` (atomically, not yet synced) and return the result without it,
    naming the file and its size."""
    stored = dict(result)
    reserve: dict[str, Any] | None = stored.pop(RESERVE_FIELD, None)
    if reserve is None:
        return stored
    sources = sorted(reserve)
    arrays: dict[str, Any] = {}
    for i, sid in enumerate(sources):
        hashes, keys = _columns(reserve[sid])
        arrays[f"h{i}"] = np.array(hashes, dtype=np.uint64)
        arrays[f"k{i}"] = np.frombuffer(_SEP.join(keys).encode("utf-8"), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    atomic_write_bytes(path, data, durable=False)  # the shard's marker records its size (store_result)
    stored[_FILE_FIELD] = path.name
    stored[_SIZE_FIELD] = len(data)
    stored[_SOURCES_FIELD] = sources
    return stored


def reserve_size(stored: dict[str, Any]) -> int | None:
    """The sidecar's size in bytes as ``store_reserve`` wrote it (None: no sidecar, or an older result)."""
    size = stored.get(_SIZE_FIELD)
    return size if isinstance(size, int) else None


def _columns(kept: Any) -> tuple[list[int], list[str]]:
    """A source's reserve as (hashes, keys): a shard result holds ``{"hashes": […], "keys": […]}``; results
    written by earlier versions hold ``[[hash, key], …]``."""
    if isinstance(kept, dict):
        return list(kept["hashes"]), list(kept["keys"])
    return [h for h, _ in kept], [k for _, k in kept]


def load_reserve(result: dict[str, Any], shards_dir: Path) -> dict[str, list[tuple[int, str]]]:
    """The reserve of a stored result: per source, (hash, item id) pairs in ascending hash order."""
    if RESERVE_FIELD in result:  # held inline (a result not yet stored, or written by an older version)
        inline: dict[str, list[tuple[int, str]]] = {}
        for sid, kept in result[RESERVE_FIELD].items():
            hashes, keys = _columns(kept)
            inline[sid] = [(int(h), str(k)) for h, k in zip(hashes, keys, strict=True)]
        return inline
    name = result.get(_FILE_FIELD)
    if not name:
        return {}
    out: dict[str, list[tuple[int, str]]] = {}
    path = shards_dir / name
    try:
        with np.load(path, allow_pickle=False) as data:
            for i, sid in enumerate(result[_SOURCES_FIELD]):
                hashes = data[f"h{i}"].tolist()
                blob = data[f"k{i}"].tobytes().decode("utf-8")
                keys = blob.split(_SEP) if hashes else []
                out[sid] = list(zip(hashes, keys, strict=True))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        # a crash while it was written (shard files are synced once, at the end of a scan), or an edit
        raise InputError(
            f"a shard's manual-sample reserve cannot be read ({exc})",
            path=str(path),
            expected="rerun the same `aibeian corpus scan`: it redoes this shard",
        ) from exc
    return out
