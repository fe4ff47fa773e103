"""The contract every per-format label writer meets, and the registry they are found in.

A writer both writes and inspects its format, so what one version writes the same version can read; the
registry (kind ``label_writer``) lets a third party add a format through the ``aibeian`` entry-point group.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from aibeian.errors import InputError
from aibeian.labeling._fields import LabelMeta
from aibeian.labeling._report import Inspection
from aibeian.registry import Registry

__all__ = ["AUDIO_NOTICES", "DEFAULT_TEXT", "ApplyOptions", "LabelWriter", "label_writers", "writer_for"]

DEFAULT_TEXT = "人工智能生成"
AUDIO_NOTICES = ("cue", "speech", "both")


@dataclass(frozen=True)
class ApplyOptions:
    """How to write. ``position`` None means the format's default; ``font`` None means fontconfig's choice;
    ``audio_notice`` is what audio opens with: the 短长短短 ``cue``, a spoken notice (``speech``: ``text``
    when the user changed it, else 本内容由人工智能生成), or ``both``."""

    explicit: bool = True
    text: str = DEFAULT_TEXT
    position: str | None = None
    font: str | None = None
    audio_notice: str = "cue"


class LabelWriter(Protocol):
    name: str
    suffixes: tuple[str, ...]
    positions: tuple[str, ...]

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        """Read every AIGC record and (``explicit``) check the visible/audible label; raise InputError if
        the file is broken. Skipping the explicit check must skip its cost (decoding pixels or audio)."""
        ...

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> str | None:
        """Write a labelled copy of ``src`` to ``dst`` (a temp file the caller renames into place); return a
        note for the user when the writer had to do something other than the usual (e.g. a fallback)."""
        ...


label_writers: Registry[LabelWriter] = Registry("label_writer")


def writer_for(path: Path) -> LabelWriter:
    suffix = path.suffix.lower()
    for name in label_writers.names():
        writer = label_writers.get(name)
        if suffix in writer.suffixes:
            return writer
    supported = sorted(s for n in label_writers.names() for s in label_writers.get(n).suffixes)
    raise InputError(
        f"unsupported format {suffix or '(no extension)'!r} / 不支持的格式",
        path=str(path),
        expected=" ".join(supported),
    )
