"""The JPEG plate's samples and coefficients against the straightforward route they replace.

splice_label no longer draws the plate in RGB and converts it: it blends by the text's (memoised) coverage
through a 256-entry table per channel and transforms the plane with two whole-plane products. Here the old
route (draw_label on an RGB plate, Pillow's YCbCr conversion and subsampling, one 8×8 product per block) is
the reference: the planes must be identical sample for sample; the coefficients may differ by one
quantisation step where a product lands within float32 error of a rounding tie (documented in
docs/labeling.md: about 5 in 100,000; the old route's own rate against a float64 DCT is about the same).
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from aibeian.labeling import _jpeg_splice, _render
from aibeian.labeling._render import draw_label, find_cjk_font, ink_coverage, label_font_size, layout_label

FONT = find_cjk_font(None)
_D = np.sqrt(2 / 8) * np.cos((2 * np.arange(8)[None, :] + 1) * np.arange(8)[:, None] * np.pi / 16)
_D[0] /= np.sqrt(2)
_D32 = _D.astype(np.float32)


def reference(data: bytes, position: str, text: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Planes and blocks the old way: the plate drawn in RGB, converted and subsampled by Pillow."""
    frame, why = _jpeg_splice.read_frame(data)
    assert frame is not None, why
    plan = layout_label((frame.width, frame.height), text, position, FONT, grid=frame.mcu)
    x, y, w, h = plan.record.box
    plate = Image.new("RGB", (w, h))
    draw_label(plate, plan, FONT, offset=(x, y))
    comps = frame.components
    hmax, vmax = max(c.h for c in comps), max(c.v for c in comps)
    channels = [plate.convert("L")] if len(comps) == 1 else list(plate.convert("YCbCr").split())
    planes, blocks = [], []
    for comp, chan in zip(comps, channels, strict=True):
        sx, sy = hmax // comp.h, vmax // comp.v
        plane = np.asarray(chan.reduce((sx, sy)) if sx > 1 or sy > 1 else chan, dtype=np.float32)
        ph, pw = plane.shape
        cells = (plane - np.float32(128)).reshape(ph // 8, 8, pw // 8, 8).transpose(0, 2, 1, 3)
        freq = np.matmul(np.matmul(_D32, cells), _D32.T)
        planes.append(plane)
        blocks.append(np.rint(freq / comp.table.astype(np.float32)).astype(np.int16))
    return planes, blocks


def jpeg(w: int, h: int, grey: bool, subsampling: int, quality: int) -> bytes:
    buf = io.BytesIO()
    Image.new("L" if grey else "RGB", (w, h), 128).save(buf, "JPEG", quality=quality, subsampling=subsampling)
    return buf.getvalue()


CASES = [  # (width, height, grey, subsampling, quality, position, text)
    (333, 241, False, 0, 95, "bottom-right", "人工智能生成"),
    (1203, 797, False, 2, 90, "top", "人工智能生成"),
    (801, 1400, False, 1, 75, "bottom-left", "AI生成"),
    (640, 480, True, 0, 85, "top-left", "人工智能生成"),
    (2001, 1500, False, 2, 60, "bottom", "本内容由人工智能生成"),
    (900, 900, True, 0, 50, "top-right", "AI生成"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}x{c[1]}-{'L' if c[2] else c[3]}-{c[5]}" for c in CASES])
def test_plate_planes_are_the_drawn_plate_and_blocks_within_one_step(case: tuple) -> None:  # type: ignore[type-arg]
    w, h, grey, subsampling, quality, position, text = case
    data = jpeg(w, h, grey, subsampling, quality)
    want_planes, want_blocks = reference(data, position, text)
    frame, _ = _jpeg_splice.read_frame(data)
    assert frame is not None
    plan = layout_label((frame.width, frame.height), text, position, FONT, grid=frame.mcu)
    planes = _jpeg_splice._planes(np.asarray(ink_coverage(plan, FONT)), frame)
    for got, want in zip(planes, want_planes, strict=True):
        assert np.array_equal(got, want)
    blocks = _jpeg_splice.plate_blocks(frame, plan, FONT)
    for got, want in zip(blocks, want_blocks, strict=True):
        assert got.shape == want.shape and got.dtype == np.int16 and got.flags.c_contiguous
        diff = np.abs(got.astype(np.int32) - want)
        assert diff.max() <= 1 and np.count_nonzero(diff) <= max(2, want.size // 1000)
    assert np.count_nonzero(blocks[0][..., 1:, :]) > 0, "the text is in the luma blocks"


def test_cached_coverage_is_shared_unchanged_and_font_sizes_match_a_fresh_measurement() -> None:
    data = jpeg(1024, 768, False, 2, 90)
    frame, _ = _jpeg_splice.read_frame(data)
    assert frame is not None
    plan = layout_label((frame.width, frame.height), "人工智能生成", "bottom-right", FONT, grid=frame.mcu)
    first = np.asarray(ink_coverage(plan, FONT)).copy()
    blocks = _jpeg_splice.plate_blocks(frame, plan, FONT)
    blocks[0][:] = 0  # callers own their blocks: the cache must not hand out shared arrays
    assert ink_coverage(plan, FONT) is ink_coverage(plan, FONT)
    assert np.array_equal(np.asarray(ink_coverage(plan, FONT)), first)
    assert np.count_nonzero(_jpeg_splice.plate_blocks(frame, plan, FONT)[0]) > 0
    for short in (240, 768, 1080, 1999):
        size = label_font_size(short, "人工智能生成", FONT)
        _render._size_for_ink.cache_clear()
        _render._ink_box.cache_clear()
        assert label_font_size(short, "人工智能生成", FONT) == size
        _, top, _, bottom = _render._font(FONT, size).getbbox("人工智能生成")
        assert bottom - top >= short * _render.TARGET_RATIO
