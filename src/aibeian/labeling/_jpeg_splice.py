"""JPEG visible labels without a decode/re-encode of the picture: the plate is spliced in as DCT blocks.

Why: a full decode + re-encode is most of the cost of labelling a photo and loses a generation of quality
everywhere. Here the plate is laid out on the JPEG's MCU grid, so it covers whole blocks whose content is
entirely ours (dark plate, white text). We render those blocks, convert them to the file's own colour space
and chroma sampling (Pillow), transform and quantise them with the file's own quantisation tables (numpy),
and put them into the file in the first of these ways that accepts it:

1. ``_jpegsplice`` (our C extension, _native/jpegsplice.c): entropy-data passthrough for baseline Huffman
   JPEGs with one interleaved scan and no restart markers. The scan before the plate's first MCU is copied
   byte for byte (found by a lengths-only Huffman decode), the plate's MCUs are encoded with the file's own
   Huffman tables, and the rest of the scan is appended as the same bits, shifted; only the MCU after each
   plate row segment is re-encoded (its DC differences refer to the plate). Headers stay byte-identical.
   It refuses, with a reason, whatever it does not handle, including a plate symbol missing from an
   optimised Huffman table.
2. libjpeg-turbo's lossless transformer (``tjTransform``, the engine of ``jpegtran``, through ctypes),
   writing the blocks into the coefficient arrays through its custom-filter hook: it also takes progressive
   files and restart markers, but Huffman-decodes and re-encodes the whole scan, so it is barely faster than
   a full re-encode (docs/benchmarks.md, "Labeling").

Either way every other block keeps its exact coefficients, so the picture outside the plate decodes
bit-identically (tests/labeling/test_jpeg_passthrough.py compares the two, coefficient by coefficient).

``jpegtran -drop`` does the same splice but costs a process, a temp file and a second full read; measured
on the benchmark corpus it was no faster than Pillow's decode + encode, so it is not used.

What neither can splice (arithmetic coding, 12-bit or lossless JPEG, CMYK/RGB-stored/odd-sampled colour,
or, for the transformer, a missing libturbojpeg) returns ``None`` with the reason, and the caller falls back
to a full re-encode.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from aibeian.labeling._render import INK, PLATE, LabelLayout, ink_coverage, layout_label

try:
    from aibeian.labeling import _jpegsplice
except ImportError:  # pragma: no cover - the C extension is optional (setup.py)
    _jpegsplice = None  # type: ignore[assignment]

__all__ = ["JpegFrame", "plate_blocks", "read_frame", "splice_label"]

TJXOPT_PROGRESSIVE = 1 << 5
_ZIGZAG = np.array(
    [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
        14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39,
        46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]
)  # fmt: skip
_U = np.arange(8)
_DCT = np.sqrt(2 / 8) * np.cos((2 * _U[None, :] + 1) * _U[:, None] * np.pi / 16)
_DCT[0] /= np.sqrt(2)  # orthonormal DCT-II: JPEG's forward transform, F = D · f · Dᵀ
_DCT32 = _DCT.astype(np.float32)  # float32 is exact enough for 8-bit samples and halves the work


@dataclass(frozen=True)
class Component:
    ident: int
    h: int
    v: int
    table: np.ndarray  # 8×8 quantisation table, natural order


@dataclass(frozen=True)
class JpegFrame:
    """What the splice needs from the headers: size, sampling, tables and the coding process."""

    width: int
    height: int
    progressive: bool
    components: tuple[Component, ...]

    @property
    def mcu(self) -> tuple[int, int]:
        return 8 * max(c.h for c in self.components), 8 * max(c.v for c in self.components)


def read_frame(data: bytes) -> tuple[JpegFrame | None, str]:
    """Parse the headers before the first scan; (None, reason) when the file cannot be spliced."""
    tables: dict[int, np.ndarray] = {}
    frame = None
    adobe_transform = None
    pos = 2
    while pos + 4 <= len(data):
        marker = data[pos + 1]
        if data[pos] != 0xFF:
            return None, "corrupt header"
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xDB:
            i = 0
            while i < len(body):
                precision, tid = body[i] >> 4, body[i] & 15
                n = 128 if precision else 64
                raw = np.frombuffer(body[i + 1 : i + 1 + n], dtype=">u2" if precision else "u1")
                natural = np.zeros(64, dtype=np.float64)
                natural[_ZIGZAG] = raw
                tables[tid] = natural.reshape(8, 8)
                i += 1 + n
        elif marker == 0xEE and body[:5] == b"Adobe" and len(body) >= 12:
            adobe_transform = body[11]
        elif marker in (0xC0, 0xC1, 0xC2):
            if body[0] != 8:
                return None, f"{body[0]}-bit samples"
            height, width, count = struct.unpack(">HHB", body[1:6])
            specs = [body[6 + 3 * k : 9 + 3 * k] for k in range(count)]
            frame = (marker == 0xC2, width, height, specs)
        elif 0xC3 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return None, "arithmetic-coded, lossless or hierarchical JPEG"
        elif marker == 0xDA:
            break
        pos += 2 + length
    if frame is None:
        return None, "no frame header"
    progressive, width, height, specs = frame
    if len(specs) not in (1, 3):
        return None, f"{len(specs)}-component (CMYK) JPEG"
    ids = bytes(s[0] for s in specs)
    if len(specs) == 3 and (adobe_transform == 0 or ids == b"RGB"):
        return None, "RGB-stored JPEG (no YCbCr)"
    comps = []
    for ident, sampling, tq in specs:
        if tq not in tables:
            return None, "quantisation table defined after the first scan"
        comps.append(Component(ident, sampling >> 4, sampling & 15, tables[tq]))
    hmax, vmax = max(c.h for c in comps), max(c.v for c in comps)
    if any(hmax % c.h or vmax % c.v for c in comps):
        return None, "non-integral chroma sampling"
    return JpegFrame(width, height, progressive, tuple(comps)), ""


def plate_blocks(frame: JpegFrame, plan: LabelLayout, font_path: str) -> list[np.ndarray]:
    """The plate's quantised DCT blocks, one (rows, cols, 8, 8) int16 array per frame component."""
    alpha = np.asarray(ink_coverage(plan, font_path))
    return [_coefficients(p, c.table) for p, c in zip(_planes(alpha, frame), frame.components, strict=True)]


@functools.cache
def _plate_colours(grey: bool) -> np.ndarray:
    """(channels, 256): the plate's stored samples for each text coverage, through Pillow's own blend and
    colour conversion (JFIF's full-range YCbCr, rounded to 8 bits, as an encoder stores it)."""
    strip = Image.new("RGB", (256, 1), PLATE)
    strip.paste(INK, (0, 0, 256, 1), Image.frombytes("L", (256, 1), bytes(range(256))))
    channels = [strip.convert("L")] if grey else strip.convert("YCbCr").split()
    return np.stack([np.asarray(c)[0] for c in channels])


def _planes(alpha: np.ndarray, frame: JpegFrame) -> list[np.ndarray]:
    """The plate in the file's colour space, each component subsampled as the file stores it.

    Every plate pixel is the plate colour blended with the ink by the text's coverage, so a 256-entry table
    per channel gives the same samples as drawing the plate in RGB and converting it; the box-filter
    subsampling stays Pillow's. Plate and ink are grey, so the chroma planes are one value throughout."""
    comps = frame.components
    hmax, vmax = max(c.h for c in comps), max(c.v for c in comps)
    out = []
    for comp, lut in zip(comps, _plate_colours(len(comps) == 1), strict=True):
        sx, sy = hmax // comp.h, vmax // comp.v
        shape = (alpha.shape[0] // sy, alpha.shape[1] // sx)
        if lut.min() == lut.max():
            out.append(np.full(shape, lut[0], dtype=np.float32))
            continue
        plane = lut[alpha]
        if sx > 1 or sy > 1:
            plane = np.asarray(Image.fromarray(plane).reduce((sx, sy)))
        out.append(plane.astype(np.float32))
    return out


def _coefficients(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Quantised DCT blocks (rows, cols, 8, 8) of one component plane, natural order, as libjpeg keeps them.

    Separable, as two matrix products per row of blocks (columns of every block, then rows), instead of
    two small products per block: half the time. A plane of one value (the chroma of a grey plate) is one
    block's transform, repeated."""
    h, w = plane.shape
    if plane.min() == plane.max():
        one = _coefficients_of(np.full((8, 8), plane.flat[0], dtype=np.float32), table)
        return np.broadcast_to(one, (h // 8, w // 8, 8, 8)).copy()
    return _coefficients_of(plane, table)


def _coefficients_of(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    h, w = plane.shape
    # F = D · f · Dᵀ for every block, one product per row of blocks each way: small enough that BLAS keeps
    # to the calling thread (one product over the whole plane wakes its worker threads, which then spin)
    cols = np.matmul(_DCT32, (plane - np.float32(128)).reshape(h // 8, 8, w))
    rows = np.matmul(cols.reshape(h // 8, w, 8), _DCT32.T)
    freq = rows.reshape(h // 8, 8, w // 8, 8).transpose(0, 2, 1, 3)
    quantised = np.rint(freq / table.astype(np.float32))
    coeffs: np.ndarray = quantised.astype(np.int16, order="C")  # C order: the splice reads it as a buffer
    return coeffs


@functools.cache
def _turbojpeg() -> Any:
    name = ctypes.util.find_library("turbojpeg") or "libturbojpeg.so.0"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    lib.tjInitTransform.restype = ctypes.c_void_p
    lib.tjTransform.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(_Transform),
        ctypes.c_int,
    ]
    lib.tjFree.argtypes = [ctypes.c_void_p]
    lib.tjDestroy.argtypes = [ctypes.c_void_p]
    lib.tjGetErrorStr2.restype = ctypes.c_char_p
    lib.tjGetErrorStr2.argtypes = [ctypes.c_void_p]
    return lib


class _Region(ctypes.Structure):
    _fields_ = [("x", ctypes.c_int), ("y", ctypes.c_int), ("w", ctypes.c_int), ("h", ctypes.c_int)]


class _Transform(ctypes.Structure):
    pass


_FILTER = ctypes.CFUNCTYPE(
    ctypes.c_int,
    ctypes.POINTER(ctypes.c_short),
    _Region,
    _Region,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.POINTER(_Transform),
)
_Transform._fields_ = [
    ("r", _Region),
    ("op", ctypes.c_int),
    ("options", ctypes.c_int),
    ("data", ctypes.c_void_p),
    ("customFilter", _FILTER),
]


def _transform(data: bytes, frame: JpegFrame, x: int, y: int, blocks: list[np.ndarray]) -> bytes | str:
    """Run libjpeg-turbo's lossless transform, overwriting the blocks at image position (x, y)."""
    lib = _turbojpeg()
    if lib is None:
        return "libturbojpeg is not installed (apt-get install libturbojpeg0)"
    hmax, vmax = frame.mcu[0] // 8, frame.mcu[1] // 8
    starts = [((x * c.h // hmax) // 8, (y * c.v // vmax) // 8) for c in frame.components]

    def put(coeffs: Any, array: _Region, _plane: _Region, ci: int, _ti: int, _t: Any) -> int:
        bx, by = starts[ci]
        rows = blocks[ci]
        row = array.y // 8 - by
        if 0 <= row < rows.shape[0]:
            line = np.ctypeslib.as_array(coeffs, shape=(array.w // 8, 8, 8))
            line[bx : bx + rows.shape[1]] = rows[row]
        return 0

    callback = _FILTER(put)
    spec = _Transform()
    spec.options = TJXOPT_PROGRESSIVE if frame.progressive else 0
    spec.customFilter = callback
    handle = lib.tjInitTransform()
    out = ctypes.POINTER(ctypes.c_ubyte)()
    size = ctypes.c_ulong(0)
    try:
        if lib.tjTransform(handle, data, len(data), 1, ctypes.byref(out), ctypes.byref(size), spec, 0) != 0:
            return f"libjpeg-turbo refused the file ({lib.tjGetErrorStr2(handle).decode(errors='replace')})"
        return ctypes.string_at(out, size.value)
    finally:
        if out:
            lib.tjFree(out)
        lib.tjDestroy(handle)


def _passthrough(data: bytes, frame: JpegFrame, plan: LabelLayout, blocks: list[np.ndarray]) -> bytes | None:
    """The plate put into the entropy-coded data by the C extension, the rest of the scan kept as it is; None
    when it does not apply (no extension, progressive, restart markers, a symbol missing from an optimised
    Huffman table, …: the reason is dropped because the lossless transformer then tries the file)."""
    if _jpegsplice is None or frame.progressive:
        return None
    x, y, w, h = plan.record.box
    done = _jpegsplice.splice(data, x, y, w, h, blocks)
    return done if isinstance(done, bytes) else None


def splice_label(
    data: bytes, text: str, position: str, font_path: str
) -> tuple[bytes, LabelLayout] | tuple[None, str]:
    """The JPEG with the label spliced in as new blocks, and the layout; or (None, why not)."""
    frame, reason = read_frame(data)
    if frame is None:
        return None, reason
    plan = layout_label((frame.width, frame.height), text, position, font_path, grid=frame.mcu)
    x, y, _, _ = plan.record.box
    blocks = plate_blocks(frame, plan, font_path)
    passed = _passthrough(data, frame, plan, blocks)
    done = passed if passed is not None else _transform(data, frame, x, y, blocks)
    if isinstance(done, str):
        return None, done
    return done, plan
