"""The manifest (file, sha256, source run/version) and the zip package that ``dossier verify`` checks."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path
from typing import Any

from aibeian.errors import InputError
from aibeian.files import atomic_output

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "aibeian.dossier/1"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            "not a dossier folder (no manifest.json); build it with aibeian dossier build",
            path=str(directory),
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed manifest: {exc.msg}", path=str(path), line=exc.lineno) from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise InputError("not an aibeian dossier manifest", path=str(path), expected=MANIFEST_FORMAT)
    return data


def package(directory: str | os.PathLike[str], out: str | os.PathLike[str]) -> dict[str, Any]:
    """Zip a built dossier folder after checking every file against its manifest."""
    d = Path(directory)
    manifest = read_manifest(d)
    problems = verify_entries(
        {
            e["file"]: (d / e["file"]).read_bytes() if (d / e["file"]).is_file() else None
            for e in manifest["files"]
        },
        manifest,
    )
    if problems:
        raise InputError(
            "the dossier folder does not match its manifest: " + "; ".join(problems), path=str(d)
        )
    with atomic_output(out) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(d / MANIFEST, MANIFEST)
        for entry in manifest["files"]:
            zf.write(d / entry["file"], entry["file"])
    return manifest


def verify_entries(contents: dict[str, bytes | None], manifest: dict[str, Any]) -> list[str]:
    problems = []
    for entry in manifest.get("files", []):
        data = contents.get(entry["file"])
        if data is None:
            problems.append(f"{entry['file']}: missing")
        elif hashlib.sha256(data).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['file']}: sha256 differs from the manifest (changed after the build)")
    missing_docs = [
        d
        for d in manifest.get("required_documents", [])
        if d not in {e.get("document") for e in manifest.get("files", [])}
    ]
    problems += [f"required document {d} is not in the package" for d in missing_docs]
    return problems


def _entry_name(info: zipfile.ZipInfo) -> str:
    """The file name as written: zip tools without the UTF-8 flag (Info-ZIP, Windows in a Chinese locale)
    store raw UTF-8 or GBK bytes that zipfile decodes as cp437, so 安全自评估报告 would read as mojibake."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _members(zf: zipfile.ZipFile, path: Path) -> dict[str, zipfile.ZipInfo]:
    """Files by name relative to the dossier root; a package re-zipped with its folder (zip -r d.zip dossier/)
    has every name under one top folder, which is taken as the root."""
    members = {_entry_name(i): i for i in zf.infolist() if not i.is_dir()}
    if MANIFEST not in members:
        tops = [n.removesuffix(MANIFEST) for n in members if n.endswith("/" + MANIFEST) and n.count("/") == 1]
        if len(tops) == 1 and all(n.startswith(tops[0]) for n in members):
            members = {n.removeprefix(tops[0]): i for n, i in members.items()}
    if MANIFEST not in members:
        raise InputError("no manifest.json in the package", path=str(path))
    return members


def verify_package(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a dossier.zip: manifest present, every file present with its sha256, every required document there."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as zf:
            members = _members(zf, p)
            try:
                manifest = json.loads(zf.read(members[MANIFEST]).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"malformed manifest: {exc}", path=f"{p}!{MANIFEST}") from None
            if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
                raise InputError(
                    "not an aibeian dossier manifest", path=f"{p}!{MANIFEST}", expected=MANIFEST_FORMAT
                )
            contents = {
                e["file"]: zf.read(members[e["file"]]) if e["file"] in members else None
                for e in manifest.get("files", [])
            }
            extra = sorted(set(members) - set(contents) - {MANIFEST})
    except FileNotFoundError:
        raise InputError("file not found", path=str(p)) from None
    except IsADirectoryError:
        raise InputError(
            "a folder, not a zip file (package it with aibeian dossier package)", path=str(p)
        ) from None
    except zipfile.BadZipFile:
        raise InputError("not a zip file (corrupt or truncated)", path=str(p)) from None
    problems = verify_entries(contents, manifest)
    problems += [f"{name}: not listed in the manifest" for name in extra]
    return {
        "file": str(p),
        "filing": manifest.get("filing"),
        "files": len(manifest.get("files", [])),
        "problems": problems,
        "ok": not problems,
    }
