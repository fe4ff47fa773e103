"""PNG, JPEG and WebP: a visible label drawn with a CJK font, and the AIGC record in XMP.

Pixels are re-encoded only when a label is drawn (JPEG keeps its quantisation tables, so quality does not
drift); metadata-only writes touch the container alone. Verification checks the declared label box in the
pixels, decoding JPEGs at a reduced scale because the plate is large by construction (≥5 % of the image).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from aibeian.errors import InputError
from aibeian.labeling._fields import LabelMeta
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._image_containers import (
    ContainerError,
    ImageMeta,
    read_image_meta,
    webp_is_lossless,
    write_image_xmp,
)
from aibeian.labeling._jpeg_splice import splice_label
from aibeian.labeling._render import (
    POSITIONS,
    ExplicitRecord,
    LabelLayout,
    find_cjk_font,
    pixels_show_label,
    render_label,
    text_problems,
)
from aibeian.labeling._report import SKIPPED, ExplicitResult, Inspection
from aibeian.labeling._xmp import build_xmp, read_xmp
from aibeian.standards import load_standards

__all__ = ["ImageWriter", "explicit_from_pixels"]

_PLACE = {"png": "PNG iTXt XML:com.adobe.xmp", "jpeg": "JPEG APP1 XMP", "webp": "WebP XMP chunk"}
ORIENTATION = 0x0112  # EXIF tag
# zlib level 3: about 3x faster than Pillow's default 6 on photo-like PNGs, within a few % of its size
PNG_LEVEL = 3
_PIL_FORMAT = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}


# The last file read, by path and stat signature: apply() inspects a file and then writes it, and the write
# takes the bytes the inspection judged instead of reading (and parsing) the file a second time, unless the
# file changed in between. One entry, handed over once.
_Signature = tuple[str, int, int, int, int]
_last_read: dict[_Signature, tuple[bytes, ImageMeta]] = {}


def _signature(path: Path) -> _Signature:
    st = path.stat()
    return str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _read(path: Path, *, keep: bool = False) -> tuple[bytes, ImageMeta]:
    """The file's bytes and container metadata; ``keep`` leaves them for the next _read of the same file."""
    key = _signature(path)
    last = _last_read.pop(key, None)
    _last_read.clear()
    if last is not None:
        return last
    data = path.read_bytes()
    try:
        meta = read_image_meta(data)
    except ContainerError as exc:
        raise InputError(f"{exc} / 文件损坏或格式不符", path=str(path)) from exc
    if keep and len(data) == key[3]:
        _last_read[key] = data, meta
    return data, meta


def _check_pixels(data: bytes, rec: ExplicitRecord, kind: str) -> tuple[bool, str, tuple[int, int]]:
    try:
        with Image.open(io.BytesIO(data)) as im:
            size = im.size
            x, y, w, h = rec.box
            scale = 1
            while kind == "jpeg" and scale < 8 and h // (scale * 2) >= 12:
                scale *= 2
            if scale > 1:
                im.draft("RGB", (size[0] // scale, size[1] // scale))
            fx, fy = im.size[0] / size[0], im.size[1] / size[1]
            crop = im.crop((int(x * fx), int(y * fy), int((x + w) * fx), int((y + h) * fy)))
            ok, note = pixels_show_label(crop)
            return ok, note, size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        return False, f"pixels unreadable ({exc})", (0, 0)


def explicit_from_pixels(data: bytes, kind: str, declared: str | None) -> ExplicitResult:
    """Check our declared label record against the pixels of the first frame (the verifier's core)."""
    if not declared:
        return ExplicitResult(
            False,
            checked=False,
            details={"where": None},
            problems=[
                "no record of a visible label; labels drawn by other tools cannot be detected without OCR, "
                "check by eye / 无显式标识记录，请人工核对"
            ],
        )
    try:
        rec = ExplicitRecord.from_json(declared)
    except (ValueError, KeyError, TypeError) as exc:
        return ExplicitResult(False, details={}, problems=[f"unreadable label record ({exc})"])
    ok, note, size = _check_pixels(data, rec, kind)
    rule = load_standards().labeling["explicit"]["image"]
    ratio = rec.text_height / max(1, min(size)) if min(size) else 0.0
    details: dict[str, Any] = {
        "where": rec.position,
        "text": rec.text,
        "box": list(rec.box),
        "text_height_px": rec.text_height,
        "text_height_ratio": round(ratio, 4),
        "pixels": note,
    }
    problems = text_problems(rec.text)
    if not ok:
        problems.append(f"declared label box does not show a label ({note}) / 声明的标识区域未见标识")
    if ratio < rule["min_text_height_ratio_of_shortest_side"]:
        problems.append(
            f"text height {ratio:.1%} of the shorter side is under the "
            f"{rule['min_text_height_ratio_of_shortest_side']:.0%} minimum / 文字高度不足"
        )
    kind_of_position = POSITIONS.get(rec.position, ("?",))[0]
    if kind_of_position not in rule["positions"]:
        problems.append(f"position {rec.position!r} is not an edge or corner")
    return ExplicitResult(ok, details=details, problems=problems)


def _exif_rotated(data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as im:
        return im.getexif().get(ORIENTATION, 1) not in (0, 1)


def _splice(data: bytes, kind: str, opts: ApplyOptions) -> tuple[bytes, str] | str:
    """The label spliced into the JPEG's blocks (see _jpeg_splice), or why the full re-encode is needed."""
    try:
        if _exif_rotated(data):
            return "EXIF-rotated photo turned upright"
    except (OSError, UnidentifiedImageError, SyntaxError):
        return "unreadable EXIF"
    done, plan = splice_label(data, opts.text, opts.position or "bottom-right", find_cjk_font(opts.font))
    if done is None:
        return str(plan)
    assert isinstance(plan, LabelLayout)
    return done, plan.record.to_json()


class ImageWriter:
    name = "image"
    suffixes: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".webp")
    positions: tuple[str, ...] = tuple(POSITIONS)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        data, meta = _read(path, keep=True)
        records: list[tuple[str, str | dict[str, Any]]] = []
        declared = None
        for packet in meta.xmp_packets:
            content = read_xmp(packet)
            if content.malformed:
                raise InputError(f"{content.malformed} / XMP 损坏", path=str(path))
            records += [(_PLACE[meta.kind], r) for r in content.records]
            declared = declared or content.explicit
        records += [("PNG tEXt AIGC", r) for r in meta.text_records]
        if not explicit:
            return Inspection(records, SKIPPED)
        return Inspection(records, explicit_from_pixels(data, meta.kind, declared))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> str | None:
        data, found = _read(src)
        existing = found.xmp_packets[0] if found.xmp_packets else None
        declared = read_xmp(existing).explicit if existing else None
        note = None
        if opts.explicit:
            spliced = _splice(data, found.kind, opts) if found.kind == "jpeg" else None
            if spliced is not None and not isinstance(spliced, str):
                data, declared = spliced
            else:
                data, declared = self._draw(data, found.kind, opts, src)
                if isinstance(spliced, str):
                    note = f"JPEG fully re-encoded: {spliced} / 整图重新编码"
        try:
            labelled = write_image_xmp(data, build_xmp(meta.to_json(), explicit=declared, existing=existing))
        except ContainerError as exc:
            raise InputError(str(exc), path=str(src)) from exc
        dst.write_bytes(labelled)
        return note

    def _draw(self, data: bytes, kind: str, opts: ApplyOptions, src: Path) -> tuple[bytes, str]:
        font = find_cjk_font(opts.font)
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                info = dict(im.info)
                exif = im.getexif()
                rotated = exif.get(ORIENTATION, 1) not in (0, 1)
                keep_jpeg = kind == "jpeg" and im.mode in ("RGB", "L", "CMYK") and not rotated
                work: Image.Image = im
                if rotated:
                    # draw where viewers show the image: turn the pixels upright, then say so in EXIF
                    work = ImageOps.exif_transpose(im)
                    exif[ORIENTATION] = 1
                    info["exif"] = exif.tobytes()
                if not keep_jpeg and work.mode not in ("RGB", "RGBA"):
                    work = work.convert("RGBA" if "A" in work.mode or "transparency" in info else "RGB")
                rec = render_label(work, opts.text, opts.position or "bottom-right", font)
                out = io.BytesIO()
                kwargs: dict[str, Any] = {k: info[k] for k in ("exif", "icc_profile", "dpi") if k in info}
                if kind == "jpeg":
                    kwargs.update(quality="keep", subsampling="keep") if keep_jpeg else kwargs.update(
                        quality=95
                    )
                elif kind == "png":
                    kwargs.update(compress_level=PNG_LEVEL)
                elif kind == "webp":
                    lossless = webp_is_lossless(data)
                    kwargs.update(lossless=True) if lossless else kwargs.update(quality=92, method=4)
                work.save(out, _PIL_FORMAT[kind], **kwargs)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
            raise InputError(f"cannot decode the image ({exc}) / 图像无法解码", path=str(src)) from exc
        return out.getvalue(), rec.to_json()


label_writers.register("image")(ImageWriter())
