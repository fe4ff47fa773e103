"""Outputs get the mode any file the user writes gets (QA found the dossier folder 0700 and every atomically
written file — manifest.json, run.json, results.json, reports — 0600, whatever the umask)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aibeian.cli.main import cli
from dossier.conftest import EXAMPLES


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_dossier_folder_manifest_and_package_follow_the_umask(tmp_path: Path, good_run: Path) -> None:
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
    assert _mode(out) == 0o755
    assert {_mode(f) for f in out.iterdir()} == {0o644}
    r = CliRunner().invoke(cli, ["dossier", "package", str(out), "--out", str(tmp_path / "d.zip")])
    assert r.exit_code == 0, r.output
    assert _mode(tmp_path / "d.zip") == 0o644
