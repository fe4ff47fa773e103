"""apply() inspects an image and then writes it: the write takes the inspected bytes unless the file changed."""

from __future__ import annotations

import io
import os
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image
from tests.labeling.conftest import META

from aibeian.labeling import ApplyOptions, _image, apply, verify
from aibeian.labeling._handler import writer_for


def photo(path: Path, seed: int, size: tuple[int, int] = (640, 480)) -> None:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path, quality=85)


def test_apply_reads_the_file_once(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    photo(src, 1)
    (tmp_path / "out").mkdir()
    real = Path.read_bytes
    reads: list[Path] = []

    def counting(self: Path) -> bytes:
        reads.append(self)
        return real(self)

    with mock.patch.object(Path, "read_bytes", counting):
        result = apply(src, META, out=tmp_path / "out")
    assert reads.count(src) == 1
    assert verify(result.output).compliant


def test_a_file_changed_after_inspection_is_read_again(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    photo(src, 1)
    writer = writer_for(src)
    writer.inspect(src)
    photo(src, 2, size=(800, 600))  # same path, new content and size
    os.utime(src, ns=(1, 1))  # and an mtime that cannot match the first version's
    dst = tmp_path / "b.jpg"
    writer.write(src, dst, META, ApplyOptions())
    with Image.open(io.BytesIO(dst.read_bytes())) as im:
        assert im.size == (800, 600)
    assert not _image._last_read, "nothing is kept after the write"
