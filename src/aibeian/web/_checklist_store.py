"""A service's checklist answers as the workbench keeps them: one answers file per service, in exactly the
format ``aibeian checklist answer`` reads (so ``dossier check`` and the CLI use what the screen saved), with
the uploaded evidence beside it::

    AIBEIAN_CHECKLIST_DIR/service-<id>/answers.yaml
    AIBEIAN_CHECKLIST_DIR/service-<id>/evidence/<item id>/<file>

Evidence paths in the file are relative to its folder, as the format asks. Saving rewrites the file
atomically under a lock (two people answering at once cannot lose each other's answers) and reads it back
through ``load_answers``: what is on disk is always a file the CLI accepts. Comments in a hand-edited file
are not kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aibeian.checklist import ANSWER_VALUES, Answers, load_answers, load_checklist
from aibeian.errors import InputError
from aibeian.files import atomic_write_bytes, atomic_write_text
from aibeian.settings import Settings

__all__ = [
    "EVIDENCE_SUFFIXES",
    "Upload",
    "answers_path",
    "read_answers",
    "save_answer",
    "service_dir",
]

EVIDENCE_SUFFIXES = (
    ".pdf",
    ".docx",
    ".doc",
    ".xlsx",
    ".xls",
    ".pptx",
    ".odt",
    ".ods",
    ".txt",
    ".md",
    ".csv",
    ".json",
    ".yaml",
    ".yml",
    ".png",
    ".jpg",
    ".jpeg",
    ".zip",
)
"""Documents, spreadsheets, screenshots and archives: what a reviewer accepts as evidence."""

_MAGIC = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".zip": (b"PK",),
    ".docx": (b"PK",),
    ".xlsx": (b"PK",),
    ".pptx": (b"PK",),
    ".odt": (b"PK",),
    ".ods": (b"PK",),
}
_UNSAFE = re.compile(r"[^\w.\-\u3400-\u9fff]+")


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def service_dir(settings: Settings, service_id: int) -> Path:
    return settings.checklist_root() / f"service-{service_id}"


def answers_path(settings: Settings, service_id: int) -> Path:
    """Where the service's answers file is (the dossier reads the same path)."""
    return service_dir(settings, service_id) / "answers.yaml"


def read_answers(settings: Settings, service_id: int) -> Answers:
    path = answers_path(settings, service_id)
    return load_answers(path) if path.is_file() else Answers(path=str(path))


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _safe_name(filename: str) -> str:
    base = Path(filename.replace("\\", "/")).name
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    stem = _UNSAFE.sub("_", stem).strip("._")[:80] or "evidence"
    return stem + suffix


def check_upload(upload: Upload, max_bytes: int) -> str:
    """The file name to store it under; a wrong type, an empty or too large file is a clear error."""
    name = _safe_name(upload.filename)
    suffix = Path(name).suffix
    if suffix not in EVIDENCE_SUFFIXES:
        raise InputError(
            f"file type {suffix or '(none)'} is not accepted as evidence",
            field="evidence",
            expected=", ".join(EVIDENCE_SUFFIXES),
        )
    if not upload.data:
        raise InputError("the uploaded file is empty", field="evidence")
    if len(upload.data) > max_bytes:
        raise InputError(
            f"the file is {len(upload.data) / 2**20:.1f} MiB, over the limit",
            field="evidence",
            expected=f"at most {max_bytes // 2**20} MiB (AIBEIAN_UPLOAD_MAX_MB)",
        )
    magic = _MAGIC.get(suffix)
    if magic and not upload.data.startswith(magic):
        raise InputError(
            f"the file's content is not a {suffix} file", field="evidence", expected=f"a real {suffix} file"
        )
    return name


def _raw(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data) if isinstance(data, dict) else {}


def _entry(raw: Any) -> dict[str, Any]:
    """An answer in the mapping form, whichever form the file had it in."""
    if isinstance(raw, dict):
        return dict(raw)
    if raw is True:
        return {"answer": "yes"}
    if raw is False:
        return {"answer": "no"}
    return {"answer": raw} if raw is not None else {}


def save_answer(
    settings: Settings,
    service_id: int,
    *,
    item_id: str,
    answer: str,
    note: str = "",
    upload: Upload | None = None,
    remove: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set one item's answer (and note, evidence); returns (before, after) for the audit log."""
    checklist = load_checklist()
    if item_id not in checklist.ids():
        raise LookupError(f"checklist item {item_id!r}")
    if answer not in ANSWER_VALUES:
        raise InputError(f"answer {answer!r} is not yes, no or na", field="answer", expected="yes, no or na")
    max_bytes = settings.upload_max_mb * 2**20
    stored = check_upload(upload, max_bytes) if upload is not None and upload.filename else None
    folder = service_dir(settings, service_id)
    path = answers_path(settings, service_id)
    with _locked(folder):
        data = _raw(path)
        before = _entry(data.get(item_id))
        after = dict(before)
        after["answer"] = answer
        if note.strip():
            after["note"] = note.strip()
        else:
            after.pop("note", None)
        new_file: Path | None = None
        evidence = before.get("evidence") or []
        evidence = [e for e in (evidence if isinstance(evidence, list) else [evidence]) if e not in remove]
        if stored is not None and upload is not None:
            target_dir = folder / "evidence" / item_id
            target_dir.mkdir(parents=True, exist_ok=True)
            target = target_dir / stored
            n = 1
            while target.exists():
                n += 1
                target = target_dir / f"{Path(stored).stem}-{n}{Path(stored).suffix}"
            atomic_write_bytes(target, upload.data)
            new_file = target
            evidence.append(target.relative_to(folder).as_posix())
        if evidence:
            after["evidence"] = evidence
        else:
            after.pop("evidence", None)
        data[item_id] = after
        text = yaml.safe_dump(dict(sorted(data.items())), allow_unicode=True, sort_keys=False)
        pending = folder / ".answers.pending.yaml"
        try:
            atomic_write_text(pending, "# aibeian checklist answers (written by the workbench)\n" + text)
            load_answers(pending, checklist)  # only a file the CLI accepts replaces the answers
            os.replace(pending, path)
        except BaseException:
            pending.unlink(missing_ok=True)
            if new_file is not None:
                new_file.unlink(missing_ok=True)
            raise
    return before, after
