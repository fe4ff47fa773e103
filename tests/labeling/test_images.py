"""PNG, JPEG, WebP: what we write is read by exiftool; what exiftool writes is read by us; the visible label
is where and as large as the standard wants, measured on the pixels."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from PIL import Image
from tests.labeling.conftest import META, exiftool, exiftool_write, noise_image
from tests.labeling.test_fields import LONGEST_ASCII, LONGEST_ZH, records

from aibeian.errors import InputError
from aibeian.labeling import ApplyOptions, LabelMeta, apply, find_cjk_font, propagate, verify
from aibeian.labeling._image_containers import read_image_meta, write_image_xmp
from aibeian.labeling._xmp import build_xmp, read_xmp

EXTS = ["png", "jpg", "webp"]


def plate_box(path: Path) -> tuple[int, int, int, int]:
    """Find the dark label plate in the pixels ourselves (no metadata): bounding box of near-black rows/cols."""
    grey = np.asarray(Image.open(path).convert("L"), dtype=np.int16)
    dark = grey < 50
    rows = np.where(dark.mean(axis=1) > 0.15)[0]
    cols = np.where(dark.mean(axis=0) > 0.05)[0]
    return int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())


@pytest.mark.parametrize("ext", EXTS)
def test_apply_writes_xmp_exiftool_reads(make_image: Callable[..., Path], ext: str) -> None:
    src = make_image(ext)
    before = src.read_bytes()
    result = apply(src, META)
    assert src.read_bytes() == before, "the input must not change without --in-place"
    got = exiftool(result.output)[0]
    assert json.loads(str(got["XMP-TC260:AIGC"])) == META.as_dict()
    report = verify(result.output)
    assert report.compliant, report.problems
    assert report.implicit.copies == 1


@pytest.mark.parametrize("ext", EXTS)
def test_visible_label_is_at_least_five_percent_of_the_shorter_side(
    make_image: Callable[..., Path], ext: str
) -> None:
    src = make_image(ext, size=(800, 500))
    out = apply(src, META, options=ApplyOptions(position="bottom-right")).output
    left, top, right, bottom = plate_box(out)
    assert right > 800 * 0.6 and bottom > 500 * 0.8, "plate should sit in the bottom-right corner"
    grey = np.asarray(Image.open(out).convert("L"), dtype=np.int16)[top : bottom + 1, left : right + 1]
    ink_rows = np.where((grey > 200).mean(axis=1) > 0.01)[0]
    ink_height = ink_rows.max() - ink_rows.min() + 1
    assert ink_height >= 0.05 * 500


def test_top_left_position_and_custom_text(make_image: Callable[..., Path]) -> None:
    out = apply(make_image("png"), META, options=ApplyOptions(position="top-left", text="AI合成")).output
    left, top, _, _ = plate_box(out)
    assert left < 40 and top < 40
    assert verify(out).explicit.details["text"] == "AI合成"


def test_text_without_required_terms_is_refused(make_image: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match="required terms"):
        apply(make_image("png"), META, options=ApplyOptions(text="仅供参考"))


def test_exiftool_written_xmp_verifies(make_image: Callable[..., Path]) -> None:
    for ext in EXTS:
        path = make_image(ext, name=f"ex-{ext}")
        record = replace(META, ContentProducer="外部工具", Label="2").to_json()
        exiftool_write(path, "XMP-TC260:AIGC", record)
        report = verify(path, check_explicit=False)
        assert report.compliant, (ext, report.problems)
        assert report.implicit.fields["ContentProducer"].value == "外部工具"
        full = verify(path)
        assert not full.compliant and full.explicit.checked is False


def test_metadata_only_write_keeps_pixels_and_other_xmp(make_image: Callable[..., Path]) -> None:
    src = make_image("jpg")
    exiftool_write(src, "XMP-dc:Creator", "摄影师")
    out = apply(src, META, options=ApplyOptions(explicit=False)).output
    assert np.array_equal(np.asarray(Image.open(src)), np.asarray(Image.open(out)))
    got = exiftool(out)[0]
    assert got["XMP-dc:Creator"] == "摄影师"
    assert "XMP-TC260:AIGC" in got


def test_different_existing_label_is_refused_same_is_not_drawn_twice(make_image: Callable[..., Path]) -> None:
    first = apply(make_image("png"), META).output
    with pytest.raises(InputError, match="already labelled"):
        apply(first, replace(META, ProduceID="other"), in_place=True)
    again = apply(first, META)
    assert not again.explicit_drawn and "already" in again.note


def test_two_records_are_reported(make_image: Callable[..., Path]) -> None:
    path = make_image("png")
    data = write_image_xmp(path.read_bytes(), build_xmp(META.to_json(), explicit=None))
    # add a second copy as a tEXt chunk, as some tools do
    body = b"AIGC\x00" + replace(META, ProduceID="dup").to_json().encode()
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    data = data[:-12] + chunk + data[-12:]
    path.write_bytes(data)
    report = verify(path, check_explicit=False)
    assert report.implicit.copies == 2 and not report.compliant
    assert any("exactly one" in p for p in report.problems)
    cleaned = apply(path, META, options=ApplyOptions(explicit=False)).output
    assert verify(cleaned, check_explicit=False).implicit.copies == 1, "writing leaves exactly one record"


def test_propagate_keeps_producer_and_visible_label(make_image: Callable[..., Path]) -> None:
    out = apply(make_image("jpg"), META).output
    prop = propagate(out, "平台科技", "share-9").output
    report = verify(prop)
    assert report.compliant, report.problems
    assert report.implicit.meta is not None
    assert report.implicit.meta.ProduceID == META.ProduceID
    assert report.implicit.meta.ContentPropagator == "平台科技"
    assert json.loads(str(exiftool(prop)[0]["XMP-TC260:AIGC"]))["PropagateID"] == "share-9"


@pytest.mark.parametrize("ext", EXTS)
def test_truncated_image_is_a_clear_error(make_image: Callable[..., Path], ext: str) -> None:
    path = make_image(ext)
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(InputError, match=r"truncated|corrupt"):
        verify(path)
    with pytest.raises(InputError):
        apply(path, META)
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "nothing half-written"


def test_bad_xmp_and_fake_image(tmp_path: Path) -> None:
    fake = tmp_path / "fake.png"
    fake.write_text("not an image")
    with pytest.raises(InputError, match="signature"):
        verify(fake)


def test_tiny_image_is_refused_clearly(make_image: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match="too small"):
        apply(make_image("png", size=(40, 12)), META)


def test_font_override_and_missing_font(make_image: Callable[..., Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="font file not found"):
        apply(make_image("png"), META, options=ApplyOptions(font=str(tmp_path / "none.ttf")))
    explicit_font = find_cjk_font()
    assert apply(make_image("png", name="f"), META, options=ApplyOptions(font=explicit_font)).explicit_drawn


def test_no_cjk_font_names_the_package(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>')
    code = (
        "from aibeian.labeling import find_cjk_font\n"
        "from aibeian.errors import InputError\n"
        "try:\n    find_cjk_font()\nexcept InputError as e:\n    print(e)\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "apt-get install fonts-noto-cjk" in out.stdout


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=records)
@example(meta=LONGEST_ZH)
@example(meta=LONGEST_ASCII)
def test_round_trip_through_real_containers(meta: LabelMeta, tmp_path: Path) -> None:
    """Random values (Chinese, quotes, maximum lengths) survive JPEG and PNG XMP and read back equal."""
    for fmt in ("PNG", "JPEG", "WEBP"):
        img = noise_image(32, 24)
        path = tmp_path / f"rt.{fmt.lower()}"
        img.save(path, fmt)
        labelled = write_image_xmp(path.read_bytes(), build_xmp(meta.to_json(), explicit=None))
        packets = read_image_meta(labelled).xmp_packets
        assert len(packets) == 1
        records_found = read_xmp(packets[0]).records
        assert records_found == [meta.to_json()]


def test_exif_rotated_jpeg_gets_its_label_where_viewers_see_it(tmp_path: Path) -> None:
    """A portrait photo stored landscape with EXIF orientation 6: the label must land bottom-right of the
    upright picture, and the orientation tag must say the pixels are now upright."""
    src = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    noise_image(640, 480).save(src, exif=exif.tobytes())
    out = apply(src, META).output
    with Image.open(out) as im:
        assert im.size == (480, 640)
        assert im.getexif().get(0x0112) == 1
    _, _, right, bottom = plate_box(out)
    assert right > 480 * 0.6 and bottom > 640 * 0.8
    assert verify(out).compliant


@pytest.mark.parametrize(
    ("name", "mode", "kwargs"),
    [
        ("gray.jpg", "L", {}),
        ("cmyk.jpg", "CMYK", {}),
        ("pal.png", "P", {}),
        ("la.png", "LA", {}),
        ("prog.jpg", "RGB", {"progressive": True}),
        ("lossless.webp", "RGB", {"lossless": True}),
    ],
)
def test_other_pixel_modes(tmp_path: Path, name: str, mode: str, kwargs: dict[str, bool]) -> None:
    src = tmp_path / name
    noise_image(320, 240).convert(mode).save(src, **kwargs)
    out = apply(src, META).output
    assert verify(out).compliant
    if name == "lossless.webp":
        with Image.open(out) as a, Image.open(src) as b:
            pixels_a = np.asarray(a.convert("RGB"))[:100]
            pixels_b = np.asarray(b.convert("RGB"))[:100]
            assert np.array_equal(pixels_a, pixels_b), "lossless WebP stays lossless away from the label"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("420.jpg", {"quality": 90}),
        ("444.jpg", {"quality": 85, "subsampling": 0}),
        ("422.jpg", {"quality": 80, "subsampling": 1}),
        ("prog.jpg", {"quality": 90, "progressive": True}),
        ("grey.jpg", {"quality": 90}),
    ],
)
def test_jpeg_label_is_spliced_and_the_rest_is_untouched(
    tmp_path: Path, name: str, kwargs: dict[str, Any]
) -> None:
    """The plate replaces whole MCUs; every block outside it keeps its coefficients, so the picture decodes
    identically there (give or take the one-pixel ring where chroma upsampling blends across the edge)."""
    src = tmp_path / name
    img = noise_image(1000, 700)
    (img.convert("L") if name.startswith("grey") else img).save(src, **kwargs)
    result = apply(src, META, options=ApplyOptions(position="top-left"))
    assert result.note == "", "spliced, not re-encoded"
    report = verify(result.output)
    assert report.compliant, report.problems
    x, y, w, h = report.explicit.details["box"]
    mcu_x, mcu_y = {"444.jpg": (8, 8), "grey.jpg": (8, 8), "422.jpg": (16, 8)}.get(name, (16, 16))
    assert x % mcu_x == 0 and w % mcu_x == 0 and y % mcu_y == 0 and h % mcu_y == 0
    assert x > 0 and y > 0, "the margin to the edge is kept"
    with Image.open(src) as a, Image.open(result.output) as b:
        before, after = np.asarray(a, dtype=np.int16), np.asarray(b, dtype=np.int16)
        assert (b.info.get("progression") or b.info.get("progressive")) == (
            a.info.get("progression") or a.info.get("progressive")
        )
        assert b.layer == a.layer if hasattr(a, "layer") else True
    outside = np.ones(before.shape[:2], dtype=bool)
    outside[max(0, y - 2) : y + h + 2, max(0, x - 2) : x + w + 2] = False
    assert np.array_equal(before[outside], after[outside])
    # an independent reader finds the record and a sound JPEG
    got = exiftool(result.output)[0]
    assert json.loads(str(got["XMP-TC260:AIGC"])) == META.as_dict()
    assert got["File:ImageWidth"] == 1000 and got["File:ImageHeight"] == 700
    assert "Warning" not in str(got)


def test_jpeg_that_cannot_be_spliced_is_re_encoded_with_a_note(tmp_path: Path) -> None:
    src = tmp_path / "cmyk.jpg"
    noise_image(320, 240).convert("CMYK").save(src)
    result = apply(src, META)
    assert "re-encoded" in result.note and "CMYK" in result.note
    assert verify(result.output).compliant
