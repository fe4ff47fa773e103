"""GIF, TIFF and HEIF/HEIC: the visible label on every frame and the AIGC record in each format's XMP.

These go through Pillow (pillow-heif for HEIF) because their pixel data cannot be patched in place the way
a JPEG's blocks can: GIF is re-quantised to its palette, TIFF keeps its compression (lossless ones stay
lossless), HEIF is re-encoded with HEVC even for a metadata-only write — libheif offers no way to change
metadata alone, and the apply note says so. XMP goes where labeling.yaml names: a GIF Application Extension
(our own block code), TIFF tag 700 in IFD0, the HEIF ``mime`` item for XMP (written by libheif).
Animated GIFs and multi-page TIFFs are labelled on every frame, so the label is seen whatever is shown.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageSequence, UnidentifiedImageError

from aibeian.errors import InputError, MissingDependencyError
from aibeian.labeling._fields import LabelMeta
from aibeian.labeling._gif_container import read_gif_xmp, write_gif_xmp
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._image import explicit_from_pixels
from aibeian.labeling._image_containers import ContainerError
from aibeian.labeling._render import POSITIONS, draw_label, find_cjk_font, layout_label
from aibeian.labeling._report import SKIPPED, Inspection
from aibeian.labeling._xmp import build_xmp, read_xmp

__all__ = ["RasterWriter"]

TIFF_XMP = 700
HEIF_QUALITY = 90
_KIND = {".gif": "gif", ".tif": "tiff", ".tiff": "tiff", ".heic": "heif", ".heif": "heif"}
_PLACE = {"gif": "GIF Application Extension XMP", "tiff": "TIFF IFD0 tag 700 (XMP)", "heif": "HEIF XMP item"}
HEIF_NOTE = "HEIF re-encoded (HEVC quality 90): libheif cannot change metadata alone / HEIF 已重新编码"


def _heif() -> None:
    """Teach Pillow to open and save HEIF; a clear install hint when pillow-heif is absent."""
    try:
        import pillow_heif
    except ImportError as exc:
        raise MissingDependencyError("pillow-heif", purpose="HEIF/HEIC labels") from exc
    pillow_heif.register_heif_opener()


def _open(data: bytes, kind: str, path: Path) -> Image.Image:
    if kind == "heif":
        _heif()
    try:
        im = Image.open(io.BytesIO(data))
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise InputError(f"cannot read the image ({exc}) / 图像无法读取", path=str(path)) from exc
    expected = {"gif": "GIF", "tiff": "TIFF", "heif": "HEIF"}[kind]
    if im.format != expected:
        raise InputError(f"file is {im.format}, not {expected} / 文件格式与扩展名不符", path=str(path))
    return im


def _packets(data: bytes, kind: str, path: Path) -> list[bytes]:
    if kind == "gif":
        try:
            return read_gif_xmp(data)
        except ContainerError as exc:
            raise InputError(f"{exc} / 文件损坏或格式不符", path=str(path)) from exc
    with _open(data, kind, path) as im:
        xmp = im.info.get("xmp")
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8")
    return [bytes(xmp)] if xmp else []


def _frames(im: Image.Image, path: Path) -> list[Image.Image]:
    try:
        return [frame.copy() for frame in ImageSequence.Iterator(im)]
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(f"cannot decode the image ({exc}) / 图像无法解码", path=str(path)) from exc


def _drawable(frame: Image.Image) -> Image.Image:
    if frame.mode in ("RGB", "RGBA", "L"):
        return frame
    return frame.convert("RGBA" if "A" in frame.mode or "transparency" in frame.info else "RGB")


class RasterWriter:
    name = "raster"
    suffixes: tuple[str, ...] = tuple(_KIND)
    positions: tuple[str, ...] = tuple(POSITIONS)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        kind = _KIND[path.suffix.lower()]
        data = path.read_bytes()
        records: list[tuple[str, str | dict[str, Any]]] = []
        declared = None
        for packet in _packets(data, kind, path):
            content = read_xmp(packet)
            if content.malformed:
                raise InputError(f"{content.malformed} / XMP 损坏", path=str(path))
            records += [(_PLACE[kind], r) for r in content.records]
            declared = declared or content.explicit
        if not explicit:
            return Inspection(records, SKIPPED)
        if kind == "heif":
            _heif()
        return Inspection(records, explicit_from_pixels(data, kind, declared))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> str | None:
        kind = _KIND[src.suffix.lower()]
        data = src.read_bytes()
        packets = _packets(data, kind, src)
        existing = packets[0] if packets else None
        declared = read_xmp(existing).explicit if existing else None
        with _open(data, kind, src) as im:
            info: dict[str, Any] = {str(k): v for k, v in im.info.items()}
            frames = _frames(im, src)
        if opts.explicit:
            font = find_cjk_font(opts.font)
            plan = layout_label(frames[0].size, opts.text, opts.position or "bottom-right", font)
            frames = [_drawable(f) for f in frames]
            for frame in frames:
                if frame.size == frames[0].size:
                    draw_label(frame, plan, font)
            declared = plan.record.to_json()
        xmp = build_xmp(meta.to_json(), explicit=declared, existing=existing)
        out = io.BytesIO()
        try:
            self._save(frames, info, kind, xmp, out)
            payload = write_gif_xmp(out.getvalue(), xmp) if kind == "gif" else out.getvalue()
        except (OSError, ValueError, ContainerError) as exc:
            raise InputError(f"cannot write the image ({exc}) / 图像无法写入", path=str(src)) from exc
        dst.write_bytes(payload)
        return HEIF_NOTE if kind == "heif" else None

    @staticmethod
    def _save(
        frames: list[Image.Image], info: dict[str, Any], kind: str, xmp: bytes, out: io.BytesIO
    ) -> None:
        first, rest = frames[0], frames[1:]
        if kind == "gif":
            extra: dict[str, Any] = {k: info[k] for k in ("loop", "duration", "comment") if k in info}
            if rest:
                extra["duration"] = [f.info.get("duration", info.get("duration", 100)) for f in frames]
            first.save(out, "GIF", save_all=bool(rest), append_images=rest, **extra)
        elif kind == "tiff":
            extra = {k: info[k] for k in ("dpi", "icc_profile", "compression") if k in info}
            if extra.get("compression") == "raw":
                extra.pop("compression")
            first.save(
                out, "TIFF", save_all=bool(rest), append_images=rest, tiffinfo={TIFF_XMP: xmp}, **extra
            )
        else:
            extra = {k: info[k] for k in ("exif", "icc_profile") if info.get(k)}
            first.save(out, "HEIF", quality=HEIF_QUALITY, xmp=xmp, **extra)


label_writers.register("raster")(RasterWriter())
