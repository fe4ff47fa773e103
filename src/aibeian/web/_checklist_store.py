"""A service's checklist answers as the workbench keeps them: one answers file per service, in exactly the
format ``aibeian checklist answer`` reads (so ``dossier check`` and the CLI use what the screen saved), with
the uploaded evidence beside it::

    AIBEIAN_CHECKLIST_DIR/service-<id>/answers.yaml
    AIBEIAN_CHECKLIST_DIR/service-<id>/evidence/<item id>/<file>

Evidence paths in the file are relative to its folder, as the format asks. Uploads follow the workbench's
upload rules (``_uploads.receive_upload``: size limit, accepted types, content sniffing). Saving rewrites the file
atomically under a lock (two people answering at once cannot lose each other's answers) and reads it back
through ``load_answers``: what is on disk is always a file the CLI accepts. Comments in a hand-edited file
are not kept.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from aibeian.checklist import ANSWER_VALUES, Answers, load_answers, load_checklist
from aibeian.errors import InputError
from aibeian.files import atomic_write_text
from aibeian.settings import Settings

__all__ = [
    "EVIDENCE_SUFFIXES",
    "answers_path",
    "evidence_dir",
    "evidence_paths",
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


def service_dir(settings: Settings, service_id: int) -> Path:
    return settings.checklist_root() / f"service-{service_id}"


def evidence_dir(settings: Settings, service_id: int, item_id: str) -> Path:
    """Uploads for one item go here (``receive_upload`` adds a random subfolder per file)."""
    return service_dir(settings, service_id) / "evidence" / item_id


def answers_path(settings: Settings, service_id: int) -> Path:
    """Where the service's answers file is (the dossier reads the same path)."""
    return service_dir(settings, service_id) / "answers.yaml"


def read_answers(settings: Settings, service_id: int) -> Answers:
    path = answers_path(settings, service_id)
    return load_answers(path) if path.is_file() else Answers(path=str(path))


def evidence_paths(settings: Settings, service_id: int) -> dict[str, Path]:
    """Every evidence file the answers name, by its path relative to the answers file's folder, kept only
    when it lies inside the service's folder (what may be downloaded)."""
    folder = service_dir(settings, service_id).resolve()
    out: dict[str, Path] = {}
    for answer in read_answers(settings, service_id).answers.values():
        for path in answer.evidence:
            resolved = path.resolve()
            if resolved.is_relative_to(folder) and resolved.is_file():
                out[resolved.relative_to(folder).as_posix()] = resolved
    return out


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


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
    new_evidence: Path | None = None,
    remove: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set one item's answer, note and evidence (``new_evidence``: a file already received under
    ``evidence_dir``); returns (before, after) for the audit log. On any failure nothing is saved and the
    new evidence file is removed."""
    try:
        return _save(settings, service_id, item_id, answer, note, new_evidence, remove)
    except BaseException:
        if new_evidence is not None:
            shutil.rmtree(new_evidence.parent, ignore_errors=True)
        raise


def _save(
    settings: Settings,
    service_id: int,
    item_id: str,
    answer: str,
    note: str,
    new_evidence: Path | None,
    remove: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, Any]]:
    checklist = load_checklist()
    if item_id not in checklist.ids():
        raise LookupError(f"checklist item {item_id!r}")
    if answer not in ANSWER_VALUES:
        raise InputError(
            f"answer {answer!r} is not yes, no or na / 请选择 是、否 或 不适用",
            field="answer",
            expected="yes, no or na",
        )
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
        evidence = before.get("evidence") or []
        evidence = [e for e in (evidence if isinstance(evidence, list) else [evidence]) if e not in remove]
        if new_evidence is not None:
            evidence.append(new_evidence.relative_to(folder).as_posix())
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
            raise
    return before, after
