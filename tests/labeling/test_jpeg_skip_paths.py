"""The passthrough's lengths-only Huffman skip on scans that take its rare paths.

The skip reads AC symbols a group per table look-up and falls back to one symbol at a time for codes longer
than the look-up and for the last symbols of a block whose 64th coefficient is coded (no EOB). Photos at
ordinary quality seldom reach either, so these inputs force them (noise at quality 100, with the standard and
with optimised tables), check that the inputs really contain such blocks, and compare the splice with
libjpeg-turbo's lossless transformer coefficient by coefficient and pixel by pixel.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from tests.labeling.test_jpeg_passthrough import coefficients, native, plate_blocks

from aibeian.labeling import _jpeg_splice

assert native is not None  # imported for its skip when the C extension is missing


def noise(w: int, h: int, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


def ac_code_lengths(data: bytes) -> dict[int, int]:
    """Code length per symbol of the first AC Huffman table (the luma one) in the file's DHT segments."""
    pos = data.index(b"\xff\xc4")
    while data[pos : pos + 2] == b"\xff\xc4":
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        i = pos + 4
        while i < end:
            counts = data[i + 1 : i + 17]
            symbols = iter(data[i + 17 : i + 17 + sum(counts)])
            if data[i] >> 4 == 1:
                return {next(symbols): length for length, n in enumerate(counts, 1) for _ in range(n)}
            i += 17 + sum(counts)
        pos = end
    raise AssertionError("no AC table")


def ac_symbols(blocks: np.ndarray) -> list[int]:
    """The AC run/size symbols of the blocks (rows, cols, 8, 8), in coding order, EOB and ZRL included."""
    out = []
    for block in blocks.reshape(-1, 64)[:, _jpeg_splice._ZIGZAG]:
        run = 0
        for v in block[1:]:
            if not v:
                run += 1
                continue
            out += [0xF0] * (run // 16)
            out.append((run % 16) << 4 | int(abs(int(v))).bit_length())
            run = 0
        if run:
            out.append(0)
    return out


@pytest.mark.parametrize(
    ("optimize", "subsampling"),
    [(False, 0), (False, 2), (True, 2)],  # (True, 0): libjpeg's optimiser fails on this noise at quality 100
    ids=["standard-444", "standard-420", "optimised-420"],
)
def test_full_blocks_and_long_codes_splice_like_the_transformer(
    optimize: bool, subsampling: int, tmp_path: Path
) -> None:
    path = tmp_path / "noise.jpg"
    noise(272, 200, seed=subsampling).save(path, quality=100, subsampling=subsampling, optimize=optimize)
    data = path.read_bytes()
    frame, _ = _jpeg_splice.read_frame(data)
    assert frame is not None
    before = coefficients(data)
    luma = before[0]
    assert np.count_nonzero(luma[..., 7, 7]) > 100, "blocks whose 64th coefficient is coded (no EOB)"
    lengths = ac_code_lengths(data)
    symbols = ac_symbols(luma)
    assert sum(lengths[s] > 12 for s in symbols) >= 5, "codes longer than the 12-bit look-up"
    assert sum(lengths[s] + (s & 15) > 12 for s in symbols) >= 50, "a code and its extra bits past it"
    for position in ("bottom-right", "top-left", "bottom"):
        (x, y, w, h), blocks = plate_blocks(data, position)
        ours = native.splice(data, x, y, w, h, blocks)
        if isinstance(ours, str):  # an optimised table may lack a plate symbol: a clean refusal
            assert optimize and "missing" in ours
            continue
        theirs = _jpeg_splice._transform(data, frame, x, y, blocks)
        assert isinstance(theirs, bytes)
        for a, b in zip(coefficients(ours), coefficients(theirs), strict=True):
            assert np.array_equal(a, b)
        with Image.open(io.BytesIO(ours)) as p, Image.open(io.BytesIO(theirs)) as q:
            assert np.array_equal(np.asarray(p), np.asarray(q))
