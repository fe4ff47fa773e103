"""XMP inside GIF: the Application Extension ``XMP DataXMP`` with its 258-byte "magic trailer".

The XMP specification (part 3) stores the packet as raw bytes after the extension's identifier and ends it
with a ramp 0x01, 0xFF, 0xFE … 0x00, 0x00, so that a GIF reader walking length-prefixed sub-blocks through
the UTF-8 text always lands on a terminator. Pillow neither reads nor writes it, so we walk the blocks
ourselves; the walk also tells a truncated GIF from a complete one.
"""

from __future__ import annotations

import struct

from aibeian.labeling._image_containers import ContainerError

__all__ = ["read_gif_xmp", "write_gif_xmp"]

XMP_APP = b"XMP DataXMP"
MAGIC = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"


def _sub_blocks_end(data: bytes, pos: int) -> int:
    """The position after the terminator of the sub-block chain starting at ``pos``."""
    while True:
        if pos >= len(data):
            raise ContainerError("GIF is truncated inside a data block")
        n = data[pos]
        pos += 1 + n
        if n == 0:
            return pos


def _blocks(data: bytes) -> list[tuple[str, int, int]]:
    """(kind, start, end) for every block after the header; kind is "xmp", "ext", "image" or "trailer"."""
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ContainerError("not a GIF file (unrecognised signature)")
    packed = data[10]
    pos = 13 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
    out: list[tuple[str, int, int]] = []
    while True:
        if pos >= len(data):
            raise ContainerError("GIF is truncated (no trailer)")
        intro = data[pos]
        if intro == 0x3B:
            out.append(("trailer", pos, pos + 1))
            return out
        if intro == 0x21:
            if data[pos + 1 : pos + 2] == b"\xff" and data[pos + 3 : pos + 14] == XMP_APP:
                magic = data.find(MAGIC[:8], pos + 14)
                if magic < 0 or magic + len(MAGIC) > len(data):
                    raise ContainerError("GIF XMP block is truncated (no magic trailer)")
                out.append(("xmp", pos, magic + len(MAGIC)))
                pos = magic + len(MAGIC)
            else:
                end = _sub_blocks_end(data, pos + 2)
                out.append(("ext", pos, end))
                pos = end
        elif intro == 0x2C:
            if pos + 10 > len(data):
                raise ContainerError("GIF is truncated inside an image descriptor")
            flags = data[pos + 9]
            body = pos + 10 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
            end = _sub_blocks_end(data, body + 1)  # after the LZW minimum code size
            out.append(("image", pos, end))
            pos = end
        else:
            raise ContainerError(f"GIF is corrupt (unexpected block 0x{intro:02X})")


def read_gif_xmp(data: bytes) -> list[bytes]:
    """Every XMP packet in the file (more than one is reported by the caller)."""
    try:
        return [data[s + 14 : e - len(MAGIC)] for kind, s, e in _blocks(data) if kind == "xmp"]
    except (IndexError, struct.error) as exc:
        raise ContainerError(f"GIF structure is corrupt ({exc})") from exc


def write_gif_xmp(data: bytes, xmp: bytes) -> bytes:
    """The same GIF with ``xmp`` as its only XMP packet, placed before the first image (GIF89a required)."""
    if b"\x00" in xmp:
        raise ContainerError("an XMP packet for GIF must not contain NUL bytes")
    blocks = _blocks(data)
    block = b"\x21\xff\x0b" + XMP_APP + xmp + MAGIC
    header = b"GIF89a" + data[6 : blocks[0][1]] if blocks else data
    parts = [header]
    inserted = False
    for kind, start, end in blocks:
        if kind == "xmp":
            continue
        if not inserted and kind in ("image", "trailer"):
            parts.append(block)
            inserted = True
        parts.append(data[start:end])
    return b"".join(parts)
