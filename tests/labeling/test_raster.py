"""GIF, TIFF and HEIF: the record read back by exiftool, the label on every frame, exiftool-written records
read by us, and broken files reported clearly."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageSequence
from tests.labeling.conftest import META, exiftool, exiftool_write, noise_image

from aibeian.errors import InputError
from aibeian.labeling import ApplyOptions, apply, propagate, verify
from aibeian.labeling._gif_container import read_gif_xmp, write_gif_xmp
from aibeian.labeling._xmp import build_xmp, read_xmp

pillow_heif = pytest.importorskip("pillow_heif")
pillow_heif.register_heif_opener()


@pytest.fixture
def make_raster(tmp_path: Path) -> Callable[..., Path]:
    def make(ext: str, frames: int = 1, name: str = "img") -> Path:
        path = tmp_path / f"{name}.{ext}"
        images = [noise_image(320, 240, seed=i) for i in range(frames)]
        kwargs: dict[str, object] = {"quality": 80} if ext == "heic" else {}
        if frames > 1:
            kwargs.update(save_all=True, append_images=images[1:])
            if ext == "gif":
                kwargs.update(duration=[100, 200, 300][:frames], loop=0)
        images[0].save(path, **kwargs)
        return path

    return make


def plate_in_corner(frame: Image.Image) -> float:
    """Share of near-black pixels in the bottom-right corner where the plate sits (found without metadata)."""
    grey = np.asarray(frame.convert("L"), dtype=np.int16)
    return float((grey[-26:-8, -80:-8] < 50).mean())


@pytest.mark.parametrize("ext", ["gif", "tif", "heic"])
def test_record_read_by_exiftool_and_label_verified(make_raster: Callable[..., Path], ext: str) -> None:
    src = make_raster(ext)
    result = apply(src, META)
    got = exiftool(result.output)[0]
    assert json.loads(str(got["XMP-TC260:AIGC"])) == META.as_dict()
    report = verify(result.output)
    assert report.compliant, report.problems
    assert report.implicit.copies == 1
    with Image.open(result.output) as im:
        assert plate_in_corner(im) > 0.4
    if ext == "heic":
        assert "re-encoded" in result.note


def test_animated_gif_is_labelled_on_every_frame_and_keeps_its_timing(
    make_raster: Callable[..., Path],
) -> None:
    out = apply(make_raster("gif", frames=3), META).output
    with Image.open(out) as im:
        assert im.n_frames == 3
        durations = []
        for frame in ImageSequence.Iterator(im):
            durations.append(frame.info.get("duration"))
            assert plate_in_corner(frame) > 0.4
    assert durations == [100, 200, 300]
    assert exiftool(out)[0]["GIF:FrameCount"] == 3


def test_multipage_tiff_is_labelled_on_every_page(make_raster: Callable[..., Path]) -> None:
    out = apply(make_raster("tiff", frames=2), META).output
    with Image.open(out) as im:
        assert im.n_frames == 2
        for page in ImageSequence.Iterator(im):
            assert plate_in_corner(page) > 0.4


@pytest.mark.parametrize("ext", ["gif", "tif", "heic"])
def test_metadata_only_and_propagation(make_raster: Callable[..., Path], ext: str) -> None:
    src = make_raster(ext)
    out = apply(src, META, options=ApplyOptions(explicit=False)).output
    if ext != "heic":  # GIF re-quantises to its own palette and TIFF stays lossless: pixels unchanged
        with Image.open(src) as a, Image.open(out) as b:
            assert np.array_equal(np.asarray(a.convert("RGB")), np.asarray(b.convert("RGB")))
    prop = propagate(out, "平台科技", "share-1").output
    report = verify(prop, check_explicit=False)
    assert report.compliant and report.implicit.copies == 1
    assert report.implicit.meta is not None and report.implicit.meta.ContentPropagator == "平台科技"
    assert json.loads(str(exiftool(prop)[0]["XMP-TC260:AIGC"]))["ProduceID"] == META.ProduceID


@pytest.mark.parametrize("ext", ["gif", "tif", "heic"])
def test_exiftool_written_record_verifies(make_raster: Callable[..., Path], ext: str) -> None:
    path = make_raster(ext)
    exiftool_write(path, "XMP-TC260:AIGC", replace(META, ContentProducer="外部工具").to_json())
    report = verify(path, check_explicit=False)
    assert report.compliant, report.problems
    assert report.implicit.fields["ContentProducer"].value == "外部工具"
    assert verify(path).explicit.checked is False


def test_gif_xmp_block_round_trip_and_magic_trailer(make_raster: Callable[..., Path]) -> None:
    data = make_raster("gif").read_bytes()
    xmp = build_xmp(replace(META, ProduceID="“引号”").to_json(), explicit=None)
    once = write_gif_xmp(data, xmp)
    twice = write_gif_xmp(once, xmp)
    assert read_gif_xmp(twice) == [xmp], "rewriting keeps exactly one packet"
    assert read_xmp(read_gif_xmp(twice)[0]).records == [replace(META, ProduceID="“引号”").to_json()]
    with Image.open(__import__("io").BytesIO(twice)) as im:
        im.load()  # Pillow still reads the GIF: the magic trailer terminates the sub-blocks


@pytest.mark.parametrize("ext", ["gif", "tif", "heic"])
def test_truncated_file_is_a_clear_error(make_raster: Callable[..., Path], ext: str) -> None:
    path = make_raster(ext)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(InputError):
        apply(path, META)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "nothing half-written"
