"""Cut the corpus into shards: the unit of work, of parallelism and of resumption.

A shard is one input file, one Parquet row group, or a batch of small text files. The plan depends only on
the input files (never on the engine or the worker count), so the same items are sampled by every engine.
Each shard carries a fingerprint of its files (size, modification time): a completed shard whose files
changed since (a user fixed a corrupt line) is scanned again on resume, the others are skipped.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibeian.corpus._readers import Span, detect_format
from aibeian.corpus._sources import SourcesConfig
from aibeian.errors import InputError, Problem

__all__ = ["CorpusFile", "Plan", "Shard", "plan_shards"]

TEXT_BATCH_FILES = 256
TEXT_BATCH_BYTES = 16 << 20
PART_BYTES = 64 << 20
"""An uncompressed JSONL file is cut into parts of about this size (at line ends), each its own shard: one big
file would otherwise be one shard — scanned by one worker however many there are, and restarted from its
first line after an interruption. Compressed streams cannot be entered part-way and stay whole."""
CUT_SHARE = 8
"""A file is cut only when it holds more than 1/CUT_SHARE of the corpus: cutting costs a read of the file (to
number the parts' lines), which a corpus of many similar files does not need to keep its workers busy. The
plan still depends on nothing but the files."""
_COUNT_CHUNK = 16 << 20


@dataclass(frozen=True)
class CorpusFile:
    """One input file: absolute path, the path items are named by, and its source when paths decide it."""

    path: str
    relpath: str
    size: int
    mtime_ns: int
    source: str | None


@dataclass(frozen=True)
class Shard:
    """A unit of work. ``name`` is stable and file-system safe: it names the result and marker files."""

    name: str
    files: tuple[CorpusFile, ...]
    row_group: int | None = None
    span: Span | None = None

    @property
    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for f in self.files:
            digest.update(f"{f.relpath}\0{f.size}\0{f.mtime_ns}\n".encode())
        digest.update(str(self.row_group).encode())
        if self.span is not None:
            digest.update(f"\0{self.span.to_list()}".encode())
        return digest.hexdigest()[:32]

    @property
    def size(self) -> int:
        if self.span is not None:
            return self.span.end - self.span.start
        return sum(f.size for f in self.files)


@dataclass(frozen=True)
class Plan:
    shards: tuple[Shard, ...]
    ignored: tuple[str, ...]  # files in corpus folders we do not read (listed in the report, never silent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "shards": len(self.shards),
            "files": len({f.relpath for s in self.shards for f in s.files}),
            "bytes": sum(s.size for s in self.shards),
            "ignored": list(self.ignored),
            "spans": self.spans(),
        }

    def spans(self) -> dict[str, Any]:
        """The parts each big JSONL file was cut into, with what identifies the file's version, so a resumed
        scan reuses them instead of reading the file again to count its lines (``plan_shards(known=…)``)."""
        found: dict[str, Any] = {}
        for shard in self.shards:
            if shard.span is not None:
                f = shard.files[0]
                entry = found.setdefault(f.relpath, {"size": f.size, "mtime_ns": f.mtime_ns, "parts": []})
                entry["parts"].append(shard.span.to_list())
        return found


def _safe(relpath: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", relpath)[-80:].strip("._") or "shard"
    return f"{stem}-{hashlib.sha1(relpath.encode()).hexdigest()[:8]}"


def _walk(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / f for f in sorted(filenames) if not f.startswith(".")]
    return found


def _list(corpus: list[str]) -> tuple[list[tuple[Path, str]], list[str], list[Problem]]:
    files: list[tuple[Path, str]] = []
    ignored: list[str] = []
    problems: list[Problem] = []
    for arg in corpus:
        p = Path(arg)
        if p.is_dir():
            for f in _walk(p):
                rel = f.relative_to(p).as_posix()
                (files.append((f, rel)) if detect_format(f) else ignored.append(f"{arg.rstrip('/')}/{rel}"))
        elif p.is_file():
            if detect_format(p) is None:
                problems.append(
                    Problem(
                        "unsupported file type",
                        path=arg,
                        expected=".jsonl, .parquet, .txt or .md (optionally .gz or .zst)",
                    )
                )
            else:
                files.append((p, p.name))
        else:
            problems.append(Problem("no such file or folder", path=arg, field="CORPUS"))
    return files, ignored, problems


def plan_shards(corpus: list[str], sources: SourcesConfig, known: dict[str, Any] | None = None) -> Plan:
    """List, check and shard the inputs. Raises InputError for everything knowable before scanning: missing
    paths, a file matching no source, a Parquet file without the text column, an empty corpus. ``known`` is
    an earlier plan's ``spans()``: a big JSONL file that did not change keeps its parts without a recount."""
    import pyarrow.parquet as pq

    files, ignored, problems = _list(corpus)
    seen: dict[str, Path] = {}
    located: list[tuple[CorpusFile, int]] = []
    for path, rel in files:
        if rel in seen:
            problems.append(
                Problem(
                    f"two inputs have the same relative path {rel!r} (also {seen[rel]})",
                    path=str(path),
                    expected="distinct names: item ids are relative paths",
                )
            )
            continue
        seen[rel] = path
        source = sources.by_path(rel)
        if source is None and sources.source_field is None:
            problems.append(
                Problem(
                    "matches no source in sources.yaml",
                    path=str(path),
                    expected=f"a source whose paths match {rel!r}",
                )
            )
        stat = path.stat()
        groups = 0
        if detect_format(path) == ("parquet", None):
            try:
                pf = pq.ParquetFile(path)
            except Exception as exc:
                problems.append(Problem(f"not a readable Parquet file: {exc}", path=str(path)))
                continue
            if sources.text_field not in pf.schema_arrow.names:
                problems.append(
                    Problem(
                        f'no column "{sources.text_field}"',
                        path=str(path),
                        field=sources.text_field,
                        expected=f"one of {', '.join(pf.schema_arrow.names)} as text_field in sources.yaml",
                    )
                )
            groups = pf.num_row_groups
        located.append((CorpusFile(str(path.resolve()), rel, stat.st_size, stat.st_mtime_ns, source), groups))
    if problems:
        raise InputError(problems=problems)
    if not located:
        raise InputError(
            "the corpus is empty: no .jsonl, .parquet, .txt or .md files found",
            path=", ".join(corpus),
            field="CORPUS",
        )
    return Plan(tuple(_shards(located, known or {})), tuple(ignored))


def _shards(located: list[tuple[CorpusFile, int]], known: dict[str, Any]) -> list[Shard]:
    shards: list[Shard] = []
    total = sum(f.size for f, _ in located)
    batch: list[CorpusFile] = []

    def flush() -> None:
        if batch:
            shards.append(Shard(_safe(f"{batch[0].relpath}+{len(batch)}"), tuple(batch)))
            batch.clear()

    for f, groups in sorted(located, key=lambda x: x[0].relpath):
        detected = detect_format(Path(f.relpath))
        if detected and detected[0] == "text":
            if len(batch) >= TEXT_BATCH_FILES or sum(b.size for b in batch) + f.size > TEXT_BATCH_BYTES:
                flush()
            batch.append(f)
            continue
        flush()
        cut = detected == ("jsonl", None) and f.size * CUT_SHARE > total  # a file that holds up the others
        spans = _spans(f, known.get(f.relpath)) if cut else []
        if groups > 1:
            shards += [Shard(_safe(f"{f.relpath}@rg{g}"), (f,), g) for g in range(groups)]
        elif len(spans) > 1:
            shards += [Shard(_safe(f"{f.relpath}@{span.start}"), (f,), span=span) for span in spans]
        else:
            shards.append(Shard(_safe(f.relpath), (f,)))
    flush()
    return shards


def _spans(f: CorpusFile, known: Any) -> list[Span]:
    """The parts of a big uncompressed JSONL file: about ``PART_BYTES`` each, cut after a line break, with the
    number of each part's first line. Numbering needs every line break before a cut, so the file is read once
    here — in ranges, by as many threads as there are CPUs (reading and memchr release the GIL); a resumed
    scan reuses ``known`` and reads nothing."""
    count = round(f.size / PART_BYTES)
    if count < 2:
        return []
    if isinstance(known, dict) and known.get("size") == f.size and known.get("mtime_ns") == f.mtime_ns:
        spans = [Span.from_list(p) for p in known.get("parts", [])]
        if spans and all(spans):
            return [s for s in spans if s is not None]
    targets = [f.size * k // count for k in range(count)]
    ranges = list(zip(targets, [*targets[1:], f.size], strict=True))
    from concurrent.futures import ThreadPoolExecutor

    try:
        with ThreadPoolExecutor(max_workers=min(len(ranges), os.cpu_count() or 1)) as pool:
            found = list(pool.map(lambda r: _range_breaks(f.path, r[0], r[1]), ranges))
    except OSError:
        return []  # left whole: its shard reports the file as unreadable, with the reason
    cuts, firsts = [0], [1]
    before = 0  # line breaks before the range's start
    for (start, _), (breaks, first_break) in zip(ranges, found, strict=True):
        if start and first_break is not None:
            cut = first_break + 1
            if cuts[-1] < cut < f.size:  # a line longer than a part swallows the next cut
                cuts.append(cut)
                firsts.append(1 + before + (first_break >= start))
        before += breaks
    ends = [*cuts[1:], f.size]
    return [Span(start, end, first) for start, end, first in zip(cuts, ends, firsts, strict=True)]


def _range_breaks(path: str, start: int, end: int) -> tuple[int, int | None]:
    """(line breaks in bytes [start, end), the position of the first line break at or after start - 1 — where
    a cut near ``start`` goes; it may lie past ``end`` after a long line, or nowhere)."""
    breaks, first = 0, None
    buffer = bytearray(_COUNT_CHUNK)
    with open(path, "rb", buffering=0) as fh:
        if start:
            fh.seek(start - 1)
            if fh.read(1) == b"\n":
                first = start - 1
        position = start
        while size := fh.readinto(buffer):
            inside = max(0, min(size, end - position))
            if inside:
                breaks += _newlines(memoryview(buffer)[:inside])
            if first is None:
                at = buffer.find(b"\n", 0, size)
                if at >= 0:
                    first = position + at
            position += size
            if position >= end and first is not None:
                break
    return breaks, first


def _newlines(data: memoryview) -> int:
    """Line breaks in ``data``: the C lexer's memchr loop (memory speed), else numpy (bytes.count is ~1.5 GB/s,
    which made cutting a big file cost half as long as scanning it)."""
    from aibeian.corpus._blocks import NATIVE

    if NATIVE is not None:
        return int(NATIVE.newlines(data))
    import numpy as np

    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A))
