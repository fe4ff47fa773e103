"""XMP inside PNG, JPEG and WebP, read and written at the container level.

Working on chunks and segments instead of decoding pixels makes verification fast (a platform checks
uploads by the thousand) and lets a metadata-only write (``--explicit off``, propagation) leave every pixel
byte untouched. Each reader also notices a truncated or corrupt container, so a broken upload is reported
as broken rather than as "no label".
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

__all__ = ["ContainerError", "ImageMeta", "read_image_meta", "webp_is_lossless", "write_image_xmp"]

PNG_SIG = b"\x89PNG\r\n\x1a\n"
XMP_JPEG_ID = b"http://ns.adobe.com/xap/1.0/\x00"
PNG_XMP_KEY = b"XML:com.adobe.xmp"


class ContainerError(ValueError):
    """The file's structure is broken (truncated, corrupt, or not the format its name says)."""


@dataclass
class ImageMeta:
    kind: str
    xmp_packets: list[bytes] = field(default_factory=list)
    text_records: list[str] = field(default_factory=list)  # PNG tEXt/iTXt keyword AIGC


def sniff(data: bytes) -> str | None:
    if data.startswith(PNG_SIG):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# --- PNG -------------------------------------------------------------------------------------------------
def _png_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, start of chunk, end of chunk) for every chunk; raises on truncation or a missing IEND."""
    pos, chunks = 8, []
    while True:
        if pos + 8 > len(data):
            raise ContainerError("PNG is truncated (no IEND chunk)")
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ContainerError(f"PNG is truncated inside a {ctype.decode('latin-1')} chunk")
        chunks.append((ctype, pos, end))
        if ctype == b"IEND":
            return chunks
        pos = end


def _png_text(ctype: bytes, body: bytes) -> tuple[bytes, str]:
    key, _, rest = body.partition(b"\x00")
    if ctype == b"tEXt":
        return key, rest.decode("latin-1")
    if ctype == b"zTXt":
        return key, zlib.decompress(rest[1:]).decode("latin-1")
    compressed, _method, rest = rest[0], rest[1], rest[2:]
    _lang, _, rest = rest.partition(b"\x00")
    _tkey, _, text = rest.partition(b"\x00")
    return key, (zlib.decompress(text) if compressed else text).decode("utf-8")


def _read_png(data: bytes) -> ImageMeta:
    meta = ImageMeta("png")
    for ctype, start, end in _png_chunks(data):
        if ctype in (b"tEXt", b"zTXt", b"iTXt"):
            body = data[start + 8 : end - 4]
            if zlib.crc32(data[start + 4 : end - 4]) != struct.unpack(">I", data[end - 4 : end])[0]:
                raise ContainerError(f"PNG {ctype.decode()} chunk has a bad CRC (corrupt file)")
            try:
                key, text = _png_text(ctype, body)
            except (zlib.error, IndexError, UnicodeDecodeError) as exc:
                raise ContainerError(f"PNG {ctype.decode()} chunk is corrupt ({exc})") from exc
            if key == PNG_XMP_KEY:
                meta.xmp_packets.append(text.encode("utf-8"))
            elif key == b"AIGC":
                meta.text_records.append(text)
    return meta


def _png_chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def _write_png(data: bytes, xmp: bytes) -> bytes:
    out = [data[:8]]
    for ctype, start, end in _png_chunks(data):
        if ctype in (b"tEXt", b"zTXt", b"iTXt"):
            key = data[start + 8 : end - 4].partition(b"\x00")[0]
            if key in (PNG_XMP_KEY, b"AIGC"):
                continue  # one record per file: the old copies go
        out.append(data[start:end])
        if ctype == b"IHDR":
            out.append(_png_chunk(b"iTXt", PNG_XMP_KEY + b"\x00\x00\x00\x00\x00" + xmp))
    return b"".join(out)


# --- JPEG ------------------------------------------------------------------------------------------------
def _jpeg_segments(data: bytes) -> list[tuple[int, int, int]]:
    """(marker, start, end) of every segment before the scan; raises when the file is cut short."""
    pos, segs = 2, []
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise ContainerError("JPEG is truncated or corrupt (bad segment marker)")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        end = pos + 2 + length
        if end > len(data):
            raise ContainerError("JPEG is truncated inside a header segment")
        segs.append((marker, pos, end))
        if marker == 0xDA:
            if data.rstrip(b"\x00")[-2:] != b"\xff\xd9":
                raise ContainerError("JPEG is truncated (no end-of-image marker)")
            return segs
        pos = end


def _read_jpeg(data: bytes) -> ImageMeta:
    meta = ImageMeta("jpeg")
    for marker, start, end in _jpeg_segments(data):
        if marker == 0xE1 and data[start + 4 : start + 4 + len(XMP_JPEG_ID)] == XMP_JPEG_ID:
            meta.xmp_packets.append(data[start + 4 + len(XMP_JPEG_ID) : end])
    return meta


def _write_jpeg(data: bytes, xmp: bytes) -> bytes:
    body = XMP_JPEG_ID + xmp
    if len(body) + 2 > 0xFFFF:
        raise ContainerError("XMP packet is too large for one JPEG APP1 segment")
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    segs = _jpeg_segments(data)
    out, inserted, pos = [data[:2]], False, 2
    for marker, start, end in segs:
        is_xmp = marker == 0xE1 and data[start + 4 : start + 4 + len(XMP_JPEG_ID)] == XMP_JPEG_ID
        if not inserted and marker not in (0xE0, 0xE1):
            out.append(segment)
            inserted = True
        if not is_xmp:
            out.append(data[start:end])
        pos = end
    out.append(data[pos:])
    return b"".join(out)


# --- WebP ------------------------------------------------------------------------------------------------
def _webp_chunks(data: bytes) -> list[tuple[bytes, int, int]]:
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise ContainerError("WebP is truncated (RIFF size exceeds the file)")
    pos, chunks = 12, []
    while pos + 8 <= riff_size + 8:
        ctype = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        end = pos + 8 + size + (size & 1)
        if pos + 8 + size > len(data):
            raise ContainerError(f"WebP is truncated inside a {ctype!r} chunk")
        chunks.append((ctype, pos, end))
        pos = end
    if not chunks:
        raise ContainerError("WebP has no chunks")
    return chunks


def _read_webp(data: bytes) -> ImageMeta:
    meta = ImageMeta("webp")
    for ctype, start, _end in _webp_chunks(data):
        if ctype == b"XMP ":
            (size,) = struct.unpack("<I", data[start + 4 : start + 8])
            meta.xmp_packets.append(data[start + 8 : start + 8 + size])
    return meta


def _webp_canvas(data: bytes, chunks: list[tuple[bytes, int, int]]) -> tuple[int, int, bool]:
    ctype, start, _ = chunks[0]
    body = data[start + 8 :]
    if ctype == b"VP8 ":
        w, h = struct.unpack("<HH", body[6:10])
        return w & 0x3FFF, h & 0x3FFF, False
    if ctype == b"VP8L":
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool((bits >> 28) & 1)
    raise ContainerError(f"WebP starts with an unexpected chunk {ctype!r}")


def webp_is_lossless(data: bytes) -> bool:
    """Whether the WebP's image data is VP8L (lossless), so a re-encode can stay lossless."""
    return any(c == b"VP8L" for c, _s, _e in _webp_chunks(data)) and not any(
        c == b"VP8 " for c, _s, _e in _webp_chunks(data)
    )


def _write_webp(data: bytes, xmp: bytes) -> bytes:
    chunks = _webp_chunks(data)
    parts = [data[s:e] for c, s, e in chunks if c != b"XMP "]
    if chunks[0][0] == b"VP8X":
        vp8x = bytearray(parts[0])
        vp8x[8] |= 0x04
        parts[0] = bytes(vp8x)
    else:
        w, h, alpha = _webp_canvas(data, chunks)
        flags = 0x04 | (0x10 if alpha else 0)
        body = bytes([flags, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
        parts.insert(0, b"VP8X" + struct.pack("<I", 10) + body)
    pad = b"\x00" if len(xmp) & 1 else b""
    parts.append(b"XMP " + struct.pack("<I", len(xmp)) + xmp + pad)
    payload = b"WEBP" + b"".join(parts)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


_READERS = {"png": _read_png, "jpeg": _read_jpeg, "webp": _read_webp}
_WRITERS = {"png": _write_png, "jpeg": _write_jpeg, "webp": _write_webp}


def read_image_meta(data: bytes) -> ImageMeta:
    kind = sniff(data)
    if kind is None:
        raise ContainerError("not a PNG, JPEG or WebP file (unrecognised signature)")
    try:
        return _READERS[kind](data)
    except (struct.error, IndexError) as exc:
        raise ContainerError(f"{kind.upper()} structure is corrupt ({exc})") from exc


def write_image_xmp(data: bytes, xmp: bytes) -> bytes:
    """The same image with ``xmp`` as its only XMP packet (and no stray PNG ``AIGC`` text chunks)."""
    kind = sniff(data)
    if kind is None:
        raise ContainerError("not a PNG, JPEG or WebP file (unrecognised signature)")
    try:
        return _WRITERS[kind](data, xmp)
    except (struct.error, IndexError) as exc:
        raise ContainerError(f"{kind.upper()} structure is corrupt ({exc})") from exc
