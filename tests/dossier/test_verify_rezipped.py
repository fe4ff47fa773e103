"""`dossier verify` on a package a person unzipped and zipped again (QA: every file read as missing).

Zip tools without the UTF-8 flag (Info-ZIP, Windows in a Chinese locale) store raw UTF-8 or GBK names that
zipfile decodes as cp437; `zip -r d.zip dossier/` puts every file under one top folder.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from dossier.conftest import EXAMPLES


def _built(tmp_path: Path, good_run: Path) -> Path:
    out = tmp_path / "dossier"
    args = [
        "dossier",
        "build",
        str(EXAMPLES / "facts-algorithm.yaml"),
        "--runs",
        str(good_run),
        "--out",
        str(out),
    ]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 0, r.output
    return out


def _zip_without_utf8_flag(folder: Path, target: Path, encoding: str, prefix: str = "") -> None:
    """Write names as raw bytes in ``encoding`` with flag bit 11 clear, as such tools do: write an ASCII
    placeholder of the same byte length, then swap the bytes in the local and central headers."""
    swaps: list[tuple[bytes, bytes]] = []
    with zipfile.ZipFile(target, "w") as zf:
        for i, f in enumerate(sorted(folder.iterdir())):
            raw = (prefix + f.name).encode(encoding)
            placeholder = f"{i:03d}".encode() + b"_" * (len(raw) - 3)
            zf.writestr(placeholder.decode(), f.read_bytes())
            swaps.append((placeholder, raw))
    data = target.read_bytes()
    for placeholder, raw in swaps:
        assert data.count(placeholder) == 2
        data = data.replace(placeholder, raw)
    target.write_bytes(data)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_names_without_the_utf8_flag_are_read(tmp_path: Path, good_run: Path, encoding: str) -> None:
    out = _built(tmp_path, good_run)
    assert any(not f.name.isascii() for f in out.iterdir())
    z = tmp_path / "re.zip"
    _zip_without_utf8_flag(out, z, encoding)
    r = CliRunner().invoke(cli, ["dossier", "verify", str(z), "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["ok"] is True


def test_a_package_zipped_with_its_folder_verifies(tmp_path: Path, good_run: Path) -> None:
    out = _built(tmp_path, good_run)
    z = tmp_path / "folder.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.mkdir("dossier")
        for f in out.iterdir():
            zf.write(f, f"dossier/{f.name}")
    r = CliRunner().invoke(cli, ["dossier", "verify", str(z)])
    assert r.exit_code == 0, r.output


def test_malformed_manifest_inside_the_zip_is_named(tmp_path: Path) -> None:
    z = tmp_path / "bad.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("manifest.json", "{")
    r = CliRunner().invoke(cli, ["dossier", "verify", str(z)])
    assert r.exit_code == 2
    assert "bad.zip!manifest.json: malformed manifest" in r.output
    assert "Traceback" not in r.output
