"""Visible labels on pixels: finding a CJK font, drawing the label, and checking that it is really there.

The label is white text on an opaque dark plate. Opaque, because then the verifier can check the pixels of
the declared box without OCR: a plate of one dark colour with a share of bright text pixels. Text height is
measured on the ink of the glyphs, not the font size, because GB 45438 speaks of the text's height.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from aibeian.errors import InputError, MissingDependencyError
from aibeian.standards import load_standards

__all__ = [
    "POSITIONS",
    "ExplicitRecord",
    "LabelLayout",
    "draw_label",
    "find_cjk_font",
    "ink_coverage",
    "label_font_size",
    "layout_label",
    "pixels_show_label",
    "render_label",
    "text_problems",
]

FONT_HINT = "apt-get install fonts-noto-cjk  (或用 --font 指定字体文件 / or pass --font FILE)"
# --position value → (kind in labeling.yaml, horizontal anchor, vertical anchor)
POSITIONS = {
    "bottom-right": ("corner", "right", "bottom"),
    "bottom-left": ("corner", "left", "bottom"),
    "top-right": ("corner", "right", "top"),
    "top-left": ("corner", "left", "top"),
    "bottom": ("edge", "center", "bottom"),
    "top": ("edge", "center", "top"),
}
PLATE = (24, 24, 24)
INK = (255, 255, 255)
MARGIN_RATIO = 0.02
TARGET_RATIO = 0.06  # drawn a little above the 5 % minimum so rounding and scaling never fall under it


@dataclass(frozen=True)
class ExplicitRecord:
    """What we drew: kept in the file so the verifier knows which box to check."""

    text: str
    position: str
    box: tuple[int, int, int, int]  # left, top, width, height in pixels
    text_height: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def from_json(raw: str) -> ExplicitRecord:
        d = json.loads(raw)
        return ExplicitRecord(
            str(d["text"]),
            str(d["position"]),
            tuple(int(v) for v in d["box"]),  # type: ignore[arg-type]
            int(d["text_height"]),
        )


def text_problems(text: str) -> list[str]:
    """Why ``text`` is not a valid textual label (needs an AI term and a generation term), or []."""
    elements = load_standards().labeling["explicit_text_elements"]
    missing = [k for k in ("ai", "generation") if not any(t in text for t in elements[k])]
    if missing:
        terms = " + ".join("/".join(elements[k]) for k in ("ai", "generation"))
        return [f"label text {text!r} lacks required terms / 标识文字须同时包含: {terms}"]
    return []


@functools.cache
def find_cjk_font(override: str | None = None) -> str:
    """A font file that can draw simplified Chinese, from ``override`` or fontconfig; never downloaded."""
    if override:
        if not Path(override).is_file():
            raise InputError("font file not found / 字体文件不存在", path=override, field="--font")
        return override
    if shutil.which("fc-list") is None:
        raise MissingDependencyError("fontconfig", purpose="finding a CJK font (apt-get install fontconfig)")
    out = subprocess.run(
        ["fc-list", ":lang=zh-cn", "file", "style"], capture_output=True, text=True, check=False
    ).stdout
    files = sorted(
        {line.split(":")[0].strip() for line in out.splitlines() if line.strip()},
        key=lambda f: ("Sans" not in f, "Bold" not in f, f),
    )
    if not files:
        raise InputError(
            f"no CJK font found for the visible label / 未找到中文字体; install one: {FONT_HINT}",
            field="--font",
        )
    return files[0]


@functools.cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def label_font_size(short: int, text: str, font_path: str) -> int:
    """The font size (px) whose ink for ``text`` is at least the target share of ``short``."""
    min_ratio = load_standards().labeling["explicit"]["image"]["min_text_height_ratio_of_shortest_side"]
    return _size_for_ink(max(8, math.ceil(short * max(TARGET_RATIO, float(min_ratio)))), text, font_path)


@functools.lru_cache(maxsize=256)
def _size_for_ink(want: int, text: str, font_path: str) -> int:
    """Memoised: a batch of photos of similar sizes asks for the same few ink heights over and over."""
    size = want
    for _ in range(4):  # ink height is a font-dependent fraction of the size: correct once or twice
        _, top, _, bottom = _ink_box(font_path, size, text)
        if bottom - top >= want:
            break
        size = math.ceil(size * want / max(1, bottom - top)) + 1
    return size


@functools.lru_cache(maxsize=256)
def _ink_box(font_path: str, size: int, text: str) -> tuple[int, int, int, int]:
    """The ink's bounding box of ``text`` drawn at the origin (memoised: measuring costs a FreeType layout)."""
    left, top, right, bottom = _font(font_path, size).getbbox(text)
    return int(left), int(top), int(right), int(bottom)


@dataclass(frozen=True)
class LabelLayout:
    """Where the plate and the text go, computed from the image size alone (no pixels needed)."""

    record: ExplicitRecord
    font_size: int
    text_origin: tuple[int, int]  # where ImageDraw.text must start so the ink sits centred on the plate


def _snap(start: int, length: int, limit: int, grid: int) -> tuple[int, int]:
    """Move ``start`` to the nearest multiple of ``grid`` and grow ``length`` to whole cells, staying inside
    [0, limit) — the margin to the edge is kept roughly, the plate never shrinks."""
    cells = -(-length // grid)
    lo = min(round(start / grid) * grid, (limit // grid - cells) * grid)
    return max(0, lo), cells * grid


def layout_label(
    size: tuple[int, int], text: str, position: str, font_path: str, *, grid: tuple[int, int] = (1, 1)
) -> LabelLayout:
    """Plan the label for an image of ``size``: ink ≥5 % of the shorter side, plate snapped to ``grid``
    (a JPEG's MCU size, so the plate covers whole blocks and can be spliced in without touching others)."""
    width, height = size
    short = min(size)
    font_size = label_font_size(short, text, font_path)
    left, top, right, bottom = _ink_box(font_path, font_size, text)
    ink_w, ink_h = right - left, bottom - top
    pad = max(2, ink_h // 3)
    w, h = ink_w + 2 * pad, ink_h + 2 * pad
    margin = max(1, round(short * MARGIN_RATIO))
    if w + 2 * margin > width or h + 2 * margin > height:
        raise InputError(
            f"image {width}×{height} is too small for a legible label "
            f"(needs {w + 2 * margin}×{h + 2 * margin}) / 图片太小，无法放置合规标识"
        )
    _, horiz, vert = POSITIONS[position]
    x = {"left": margin, "right": width - margin - w, "center": (width - w) // 2}[horiz]
    y = margin if vert == "top" else height - margin - h
    x, w = _snap(x, w, width, grid[0])
    y, h = _snap(y, h, height, grid[1])
    if x + w > width or y + h > height:
        raise InputError(
            f"image {width}×{height} is too small for a legible label / 图片太小，无法放置合规标识"
        )
    origin = (x + (w - ink_w) // 2 - left, y + (h - ink_h) // 2 - top)
    return LabelLayout(ExplicitRecord(text, position, (x, y, w, h), ink_h), font_size, origin)


def draw_label(
    img: Image.Image, plan: LabelLayout, font_path: str, *, offset: tuple[int, int] = (0, 0)
) -> None:
    """Draw the planned plate and text on ``img``, whose top-left corner is ``offset`` in image coordinates."""
    x, y, w, h = plan.record.box
    ox, oy = offset
    draw = ImageDraw.Draw(img)
    draw.rectangle((x - ox, y - oy, x - ox + w - 1, y - oy + h - 1), fill=_colour(PLATE, img.mode))
    tx, ty = plan.text_origin
    draw.text(
        (tx - ox, ty - oy),
        plan.record.text,
        font=_font(font_path, plan.font_size),
        fill=_colour(INK, img.mode),
    )


GLYPH_CACHE = 64  # rendered labels kept: one per text, font and size, ≤ ~0.1 MB each at 4 MP


def ink_coverage(plan: LabelLayout, font_path: str) -> Image.Image:
    """How much of each pixel of the planned plate the text covers (mode L, 0-255): the glyphs exactly as
    draw_label blends them in, so the plate is the plate colour mixed with the ink by this share. Do not
    modify the image: it is shared."""
    x, y, w, h = plan.record.box
    tx, ty = plan.text_origin
    return _coverage(plan.record.text, font_path, plan.font_size, (w, h), (tx - x, ty - y))


@functools.lru_cache(maxsize=GLYPH_CACHE)
def _coverage(text: str, font_path: str, size: int, box: tuple[int, int], at: tuple[int, int]) -> Image.Image:
    """Memoised: FreeType's rendering is most of a plate's cost, and a batch of photos of similar sizes asks
    for the same few font sizes (box and ``at`` follow from the size and the JPEG's MCU grid)."""
    mask = Image.new("L", box, 0)
    ImageDraw.Draw(mask).text(at, text, font=_font(font_path, size), fill=255)
    return mask


def render_label(img: Image.Image, text: str, position: str, font_path: str) -> ExplicitRecord:
    """Draw the label on ``img`` in place, sized so the ink is ≥5 % of the shorter side."""
    plan = layout_label(img.size, text, position, font_path)
    draw_label(img, plan, font_path)
    return plan.record


def _colour(rgb: tuple[int, int, int], mode: str) -> int | tuple[int, ...]:
    if mode == "L":
        return rgb[0]
    if mode == "LA":
        return (rgb[0], 255)
    if mode == "CMYK":
        return (0, 0, 0, 255 - rgb[0])
    return (*rgb, 255) if mode == "RGBA" else rgb


def pixels_show_label(region: Image.Image) -> tuple[bool, str]:
    """Whether a crop looks like our plate: mostly one dark colour, with a share of bright ink."""
    grey = region.convert("L")
    hist = grey.histogram()
    total = max(1, sum(hist))
    dark = sum(hist[:64]) / total
    bright = sum(hist[160:]) / total
    ok = dark >= 0.5 and 0.03 <= bright <= 0.5
    return ok, f"plate {dark:.0%} dark, {bright:.0%} bright ink"
