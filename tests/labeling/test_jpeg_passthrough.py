"""The C passthrough splice (_native/jpegsplice.c) against libjpeg-turbo's lossless transformer.

Both put the same plate blocks into the same file; the transformer re-codes the whole scan with libjpeg, the
passthrough keeps the file's own entropy data outside the plate. Read back by libjpeg (coefficients through
the transformer's filter hook, pixels through Pillow), the two outputs must be identical. Inputs the
passthrough does not handle must be refused with a reason (the caller then uses the transformer), and
damaged input must never crash it.
"""

from __future__ import annotations

import ctypes
import io
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from PIL import Image
from tests.labeling.conftest import META, exiftool

from aibeian.labeling import ApplyOptions, _jpeg_splice, apply, verify
from aibeian.labeling._render import POSITIONS, find_cjk_font, layout_label

native = pytest.importorskip("aibeian.labeling._jpegsplice", reason="C extension not built (no compiler)")

FONT = find_cjk_font(None)
TEXT = "人工智能生成"


def photo(w: int, h: int, seed: int) -> Image.Image:
    """Gradient plus grain: a scan with many symbols, like a photo."""
    rng = np.random.default_rng(seed)
    x = np.linspace(0, 1, w)[None, :]
    y = np.linspace(0, 1, h)[:, None]
    base = np.stack([200 * x + 30 * y, 120 + 80 * x * y, 220 - 150 * y + 0 * x], axis=-1)
    return Image.fromarray(np.clip(base + rng.normal(0, 12, (h, w, 1)), 0, 255).astype(np.uint8))


def encode(img: Image.Image, **kwargs: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def plate_blocks(data: bytes, position: str) -> tuple[tuple[int, int, int, int], list[np.ndarray]]:
    """The plate box and its quantised blocks, exactly as splice_label computes them."""
    frame, why = _jpeg_splice.read_frame(data)
    assert frame is not None, why
    plan = layout_label((frame.width, frame.height), TEXT, position, FONT, grid=frame.mcu)
    return plan.record.box, _jpeg_splice.plate_blocks(frame, plan, FONT)


def coefficients(data: bytes) -> list[np.ndarray]:
    """Every component's quantised DCT blocks (rows, cols, 8, 8) as libjpeg decodes them."""
    lib = _jpeg_splice._turbojpeg()
    assert lib is not None
    rows: dict[int, list[tuple[int, np.ndarray]]] = {}

    def grab(coeffs: Any, array: Any, _plane: Any, ci: int, _ti: int, _t: Any) -> int:
        got = np.ctypeslib.as_array(coeffs, shape=(array.h // 8, array.w // 8, 8, 8)).copy()
        rows.setdefault(ci, []).append((array.y, got))
        return 0

    callback = _jpeg_splice._FILTER(grab)
    spec = _jpeg_splice._Transform()
    spec.customFilter = callback
    handle = lib.tjInitTransform()
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    try:
        assert (
            lib.tjTransform(handle, data, len(data), 1, ctypes.byref(out), ctypes.byref(size), spec, 0) == 0
        )
    finally:
        if out:
            lib.tjFree(out)
        lib.tjDestroy(handle)
    return [np.concatenate([a for _, a in sorted(rows[ci], key=lambda r: r[0])]) for ci in sorted(rows)]


def scan_header_end(data: bytes) -> int:
    sos = data.index(b"\xff\xda")
    return sos + 2 + int.from_bytes(data[sos + 2 : sos + 4], "big")


CASES = [  # (width, height, grey, subsampling, quality): sizes off the 8/16 grid on purpose
    (333, 241, False, 0, 95),
    (517, 389, False, 2, 90),
    (450, 301, False, 1, 75),
    (299, 411, True, 0, 85),
    (640, 200, False, 2, 50),
    (203, 509, False, 1, 60),
    (801, 143, True, 0, 70),
    (256, 256, False, 2, 80),
]


@pytest.mark.parametrize("position", list(POSITIONS))
@pytest.mark.parametrize("case", CASES, ids=[f"{w}x{h}-{'L' if g else s}-q{q}" for w, h, g, s, q in CASES])
def test_passthrough_decodes_like_the_lossless_transformer(
    case: tuple[int, int, bool, int, int], position: str
) -> None:
    w, h, grey, subsampling, quality = case
    img = photo(w, h, seed=w * h)
    data = encode(img.convert("L") if grey else img, quality=quality, subsampling=subsampling)
    frame, _ = _jpeg_splice.read_frame(data)
    assert frame is not None
    (x, y, pw, ph), blocks = plate_blocks(data, position)
    ours = native.splice(data, x, y, pw, ph, blocks)
    assert isinstance(ours, bytes), ours
    theirs = _jpeg_splice._transform(data, frame, x, y, blocks)
    assert isinstance(theirs, bytes), theirs
    mine, ref = coefficients(ours), coefficients(theirs)
    assert len(mine) == len(ref) == len(frame.components)
    hmax, vmax = frame.mcu[0] // 8, frame.mcu[1] // 8
    for comp, a, b, plate in zip(frame.components, mine, ref, blocks, strict=True):
        assert np.array_equal(a, b)
        bx, by = x * comp.h // hmax // 8, y * comp.v // vmax // 8
        assert np.array_equal(a[by : by + plate.shape[0], bx : bx + plate.shape[1]], plate), "the plate is in"
    with Image.open(io.BytesIO(ours)) as p, Image.open(io.BytesIO(theirs)) as q:
        assert np.array_equal(np.asarray(p), np.asarray(q))
    cut = scan_header_end(data)
    assert ours[:cut] == data[:cut], "headers and metadata are kept byte for byte"
    assert ours.endswith(b"\xff\xd9")


def test_apply_takes_the_passthrough_and_independent_readers_accept_it(tmp_path: Path) -> None:
    src = tmp_path / "photo.jpg"
    photo(1203, 797, seed=3).save(src, quality=90)
    for pos in ("bottom-right", "top"):
        (tmp_path / pos).mkdir()
    with mock.patch.object(_jpeg_splice, "_transform", side_effect=AssertionError("transformer used")):
        results = [
            apply(src, META, out=tmp_path / pos, options=ApplyOptions(position=pos))
            for pos in ("bottom-right", "top")
        ]
    for result in results:
        assert result.note == ""
        assert verify(result.output).compliant
        with Image.open(result.output) as im:
            im.load()
            assert im.size == (1203, 797)
        got = exiftool(result.output)[0]
        assert got["File:ImageWidth"] == 1203 and got["File:ImageHeight"] == 797
        assert "Warning" not in str(got) and "Error" not in str(got)


def test_restart_markers_and_progressive_are_refused_and_the_transformer_takes_them() -> None:
    img = photo(400, 300, seed=5)
    for kwargs, reason in (
        ({"restart_marker_blocks": 8}, "restart markers"),
        ({"progressive": True}, "progressive"),
    ):
        data = encode(img, quality=85, **kwargs)
        (x, y, w, h), blocks = plate_blocks(data, "bottom-right")
        assert reason in native.splice(data, x, y, w, h, blocks)
        done, plan = _jpeg_splice.splice_label(data, TEXT, "bottom-right", FONT)
        assert isinstance(done, bytes), plan
        luma = coefficients(done)[0]  # full-resolution component: blocks are pixels / 8
        assert np.array_equal(luma[y // 8 : (y + h) // 8, x // 8 : (x + w) // 8], blocks[0])


def test_optimised_table_without_the_plate_symbols_is_refused() -> None:
    """An optimised Huffman table holds only the symbols the picture needed; a smooth picture's tables
    cannot code the text's sharp edges, so the passthrough must refuse (not write a broken scan)."""
    smooth = Image.fromarray(np.full((240, 320, 3), 128, dtype=np.uint8))
    data = encode(smooth, quality=90, optimize=True)
    (x, y, w, h), blocks = plate_blocks(data, "bottom")
    assert "missing from the file's Huffman table" in native.splice(data, x, y, w, h, blocks)
    done, _ = _jpeg_splice.splice_label(data, TEXT, "bottom", FONT)
    assert isinstance(done, bytes)
    with Image.open(io.BytesIO(done)) as im:
        im.load()


def test_optimised_table_that_has_the_symbols_is_spliced() -> None:
    data = encode(photo(500, 400, seed=9), quality=95, optimize=True)
    frame, _ = _jpeg_splice.read_frame(data)
    assert frame is not None
    (x, y, w, h), blocks = plate_blocks(data, "bottom-left")
    ours = native.splice(data, x, y, w, h, blocks)
    if isinstance(ours, str):  # the grain did not need every symbol the text needs: a clean refusal
        assert "missing" in ours
        return
    theirs = _jpeg_splice._transform(data, frame, x, y, blocks)
    assert isinstance(theirs, bytes)
    assert all(np.array_equal(a, b) for a, b in zip(coefficients(ours), coefficients(theirs), strict=True))


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        (lambda d: d.replace(b"\xff\xc0", b"\xff\xc9", 1), "arithmetic"),
        (lambda d: d[: d.index(b"\xff\xc0") + 4] + b"\x0c" + d[d.index(b"\xff\xc0") + 5 :], "8-bit"),
        (lambda d: d[:-2] + b"\xff\xda" + d[-2:], "more than one scan"),
        (lambda d: d[:40], "truncated header"),
        (lambda d: b"GIF89a" + d, "not a JPEG"),
    ],
    ids=["arithmetic", "12-bit", "second-marker", "header-only", "not-jpeg"],
)
def test_other_unsupported_inputs_say_why(patch: Any, reason: str) -> None:
    data = encode(photo(320, 240, seed=1), quality=85)
    (x, y, w, h), blocks = plate_blocks(data, "bottom-right")
    got = native.splice(patch(data), x, y, w, h, blocks)
    assert isinstance(got, str) and reason in got


def test_bad_arguments_are_refused_not_crashed() -> None:
    data = encode(photo(320, 240, seed=1), quality=85)
    (x, y, w, h), blocks = plate_blocks(data, "bottom-right")
    assert "MCU grid" in native.splice(data, x + 1, y, w, h, blocks)
    assert "MCU grid" in native.splice(data, x, y, w, h + 4096, blocks)
    assert "wrong size" in native.splice(data, x, y, w, h, [b[:-1] for b in blocks])
    assert "one block array per component" in native.splice(data, x, y, w, h, blocks[:1])


def test_truncated_scans_are_refused() -> None:
    data = encode(photo(480, 360, seed=2), quality=90)
    (x, y, w, h), blocks = plate_blocks(data, "bottom-right")
    start = scan_header_end(data)
    for cut in np.linspace(start + 1, len(data) - 40, 25).astype(int):
        assert isinstance(native.splice(data[:cut], x, y, w, h, blocks), str)  # no EOI
        got = native.splice(data[:cut] + b"\xff\xd9", x, y, w, h, blocks)
        assert got == "corrupt or truncated scan", cut


def test_random_damage_never_crashes() -> None:
    """Random bytes in the scan and the tables: a str or a JPEG, never a crash or a read past the buffer
    (the same loop ran under -fsanitize=address,undefined while the C was written)."""
    rng = np.random.default_rng(7)
    data = encode(photo(352, 288, seed=4), quality=80, subsampling=2)
    (x, y, w, h), blocks = plate_blocks(data, "bottom-left")
    start = scan_header_end(data)
    outcomes = set()
    for i in range(400):
        damaged = bytearray(data)
        lo = start if i % 4 else 2  # every fourth damages the headers (Huffman tables included)
        for pos in rng.integers(lo, len(data) - 2, size=int(rng.integers(1, 6))):
            damaged[pos] = int(rng.integers(0, 256))
        got = native.splice(bytes(damaged), x, y, w, h, blocks)
        assert isinstance(got, bytes | str)
        outcomes.add(type(got))
    assert outcomes == {bytes, str}, "both damaged files that still decode and refusals were exercised"
