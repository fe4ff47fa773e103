"""MP4: the AIGC record in ``moov/udta/meta`` (keys=AIGC, value in ilst) and a visible label burnt into the
opening seconds with ffmpeg's drawtext, sized and placed like the image label.

Verification reads the record from the boxes directly and checks the declared label box in two decoded
frames (the first, and one just before the 2-second minimum), so "present for ≥2 s" is observed, not assumed.
The standard's other required place, around the player, belongs to the platform's interface, not the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from aibeian.errors import InputError
from aibeian.labeling._ffmpeg import ffmpeg, probe
from aibeian.labeling._fields import LabelMeta, implicit_spec
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._mp4box import Mp4Error, ffmpeg_record_args, is_record_tag, read_mp4_tags
from aibeian.labeling._render import (
    MARGIN_RATIO,
    PLATE,
    POSITIONS,
    ExplicitRecord,
    _font,
    find_cjk_font,
    label_font_size,
    pixels_show_label,
    text_problems,
)
from aibeian.labeling._report import SKIPPED, ExplicitResult, Inspection
from aibeian.standards import load_standards

__all__ = ["VideoWriter"]

DECLARATION_KEY = "aibeian_explicit"
PLAYER_NOTE = "a label around the player is the platform's duty and cannot be checked in the file"


def _rule() -> dict[str, Any]:
    rule: dict[str, Any] = load_standards().labeling["explicit"]["video"]
    return rule


def _tags(path: Path) -> list[tuple[str, str]]:
    try:
        return read_mp4_tags(path)
    except (Mp4Error, OSError) as exc:
        raise InputError(f"corrupt or truncated MP4 ({exc}) / 视频文件损坏", path=str(path)) from exc


def _video_size(path: Path) -> tuple[int, int, float]:
    info = probe(path)
    for s in info.get("streams", []):
        if s.get("codec_type") == "video":
            return int(s["width"]), int(s["height"]), float(info.get("format", {}).get("duration", 0) or 0)
    raise InputError("MP4 has no video stream / 没有视频流", path=str(path))


def _frame_shows(path: Path, t: float, box: tuple[int, int, int, int]) -> tuple[bool, str]:
    x, y, w, h = box
    # even offsets and sizes: chroma-subsampled video crops to even numbers and would return fewer bytes
    ix, iy = (x + w // 10) & ~1, (y + h // 10) & ~1
    iw, ih = max(2, (w * 8 // 10) & ~1), max(2, (h * 8 // 10) & ~1)
    raw = ffmpeg(
        [
            "-ss",
            f"{t:.3f}",
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-vf",
            f"crop={iw}:{ih}:{ix}:{iy}",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        path=path,
        stdout=True,
    )
    if len(raw) < iw * ih:
        return False, f"no frame at {t:.2f} s"
    crop = Image.fromarray(np.frombuffer(raw[: iw * ih], dtype=np.uint8).reshape(ih, iw), "L")
    return pixels_show_label(crop)


def _explicit(path: Path, declared: str | None) -> ExplicitResult:
    if not declared:
        return ExplicitResult(
            False,
            checked=False,
            details={"where": None, "note": PLAYER_NOTE},
            problems=[
                "no record of a visible label; labels drawn by other tools cannot be detected without OCR, "
                "check by eye / 无显式标识记录，请人工核对"
            ],
        )
    try:
        data = json.loads(declared)
        rec = ExplicitRecord(
            str(data["text"]),
            str(data["position"]),
            (int(data["box"][0]), int(data["box"][1]), int(data["box"][2]), int(data["box"][3])),
            int(data["text_height"]),
        )
        until = float(data["until_s"])
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return ExplicitResult(False, details={}, problems=[f"unreadable label record ({exc})"])
    width, height, duration = _video_size(path)
    rule = _rule()
    shown = min(until, duration)
    checks = [0.0, max(0.0, min(rule["min_duration_s"], shown) - 0.1)]
    seen = [_frame_shows(path, t, rec.box) for t in checks]
    ratio = rec.text_height / min(width, height)
    details: dict[str, Any] = {
        "where": "opening frames, " + rec.position,
        "text": rec.text,
        "box": list(rec.box),
        "text_height_ratio": round(ratio, 4),
        "shown_s": round(shown, 2),
        "frames_checked_s": [round(t, 2) for t in checks],
        "pixels": [note for _, note in seen],
        "note": PLAYER_NOTE,
    }
    problems = text_problems(rec.text)
    ok = all(flag for flag, _ in seen)
    if not ok:
        problems.append("declared label not visible in the checked frames / 检查帧中未见标识")
    if shown < rule["min_duration_s"]:
        problems.append(f"label shown {shown:.1f} s, under the {rule['min_duration_s']} s minimum / 时长不足")
    if ratio < rule["min_text_height_ratio_of_shortest_side"]:
        problems.append(f"text height {ratio:.1%} of the shorter side is under the minimum / 文字高度不足")
    return ExplicitResult(ok, details=details, problems=problems)


class VideoWriter:
    name = "video"
    suffixes: tuple[str, ...] = (".mp4",)
    positions: tuple[str, ...] = tuple(POSITIONS)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        key = implicit_spec()["key"]
        tags = _tags(path)
        records: list[tuple[str, str | dict[str, Any]]] = [
            (f"MP4 {where}", v) for where, v in tags if is_record_tag(where, key)
        ]
        declared = next((v for where, v in tags if where == f"keys:{DECLARATION_KEY}"), None)
        return Inspection(records, _explicit(path, declared) if explicit else SKIPPED)

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        _tags(src)
        key = implicit_spec()["key"]
        metadata = ["-map_metadata", "0", *ffmpeg_record_args(src, key, meta.to_json())]
        if not opts.explicit:
            ffmpeg(["-i", str(src), "-map", "0", "-c", "copy", *metadata, "-f", "mp4", str(dst)], path=src)
            return
        width, height, _ = _video_size(src)
        font = find_cjk_font(opts.font)
        size = label_font_size(min(width, height), opts.text, font)
        left, top, right, bottom = (int(v) for v in _font(font, size).getbbox(opts.text))
        ink_w, ink_h = right - left, bottom - top
        pad = max(2, ink_h // 3)
        margin = max(1, round(min(width, height) * MARGIN_RATIO))
        w, h = ink_w + 2 * pad, ink_h + 2 * pad
        if w + 2 * margin > width or h + 2 * margin > height:
            raise InputError(
                f"video {width}×{height} is too small for a legible label / 视频画面太小", path=str(src)
            )
        _, horiz, vert = POSITIONS[opts.position or "bottom-right"]
        x = {"left": margin, "right": width - margin - w, "center": (width - w) // 2}[horiz]
        y = margin if vert == "top" else height - margin - h
        until = float(_rule()["min_duration_s"]) + 1.0
        record = ExplicitRecord(opts.text, opts.position or "bottom-right", (x, y, w, h), ink_h)
        declared = json.loads(record.to_json()) | {"until_s": until}
        textfile = dst.with_suffix(".label.txt")
        textfile.write_text(opts.text, encoding="utf-8")
        try:
            plate = "0x{:02x}{:02x}{:02x}".format(*PLATE)
            draw = (
                f"drawtext=fontfile='{font}':textfile='{textfile}':fontsize={size}:fontcolor=white:"
                f"box=1:boxcolor={plate}@1.0:boxborderw={pad}:x={x + pad}:y={y + pad}:"
                f"enable='lt(t,{until})'"
            )
            ffmpeg(
                [
                    "-i",
                    str(src),
                    "-map",
                    "0",
                    "-c",
                    "copy",
                    "-vf",
                    draw,
                    "-c:v",
                    "libx264",
                    "-crf",
                    "18",
                    "-preset",
                    "veryfast",
                    *metadata,
                    "-metadata",
                    f"{DECLARATION_KEY}={json.dumps(declared, ensure_ascii=False)}",
                    "-f",
                    "mp4",
                    str(dst),
                ],
                path=src,
            )
        finally:
            textfile.unlink(missing_ok=True)


label_writers.register("video")(VideoWriter())
