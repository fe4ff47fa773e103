"""MP4, MOV, MKV and AVI: the AIGC record where labeling.yaml puts it and a visible label burnt into the
opening seconds with ffmpeg's drawtext, sized and placed like the image label.

Records: MP4/MOV ``moov/udta/meta`` (keys=AIGC, value in ilst, read from the boxes directly); MKV
``Segment/Tags/SimpleTag`` AIGC (written by ffmpeg, read through ffprobe); AVI a ``LIST INFO`` sub-chunk
AIGC (written and read by ``_avi_info``, since ffmpeg's AVI muxer drops unknown INFO tags).

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
from aibeian.labeling._avi_info import DECLARATION_ID, read_avi_info, write_avi_info
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


_MUXER = {".mp4": "mp4", ".mov": "mov", ".mkv": "matroska", ".avi": "avi"}
_VIDEO_CODEC = {".avi": ["-c:v", "mpeg4", "-q:v", "2"]}
_X264 = ["-c:v", "libx264", "-crf", "18", "-preset", "veryfast"]


def _tags(path: Path) -> list[tuple[str, str]]:
    try:
        return read_mp4_tags(path)
    except (Mp4Error, OSError) as exc:
        raise InputError(f"corrupt or truncated MP4 ({exc}) / 视频文件损坏", path=str(path)) from exc


def _found(path: Path) -> tuple[list[tuple[str, str | dict[str, Any]]], str | None]:
    """The AIGC records (where, value) and our declaration of a drawn label, read from the container."""
    key = implicit_spec()["key"]
    suffix = path.suffix.lower()
    if suffix == ".avi":
        info = read_avi_info(path)
        declared_avi = info.get(DECLARATION_ID, [None])[0]
        return [("AVI LIST INFO AIGC", v) for v in info.get(key.encode("ascii"), [])], declared_avi
    if suffix == ".mkv":
        tags = probe(path).get("format", {}).get("tags", {})
        records: list[tuple[str, str | dict[str, Any]]] = [
            ("MKV Tags SimpleTag AIGC", v) for k, v in tags.items() if k.upper() == key
        ]
        declared_mkv = next((v for k, v in tags.items() if k.lower() == DECLARATION_KEY), None)
        return records, declared_mkv
    mp4 = _tags(path)
    found: list[tuple[str, str | dict[str, Any]]] = [
        (f"{suffix[1:].upper()} {where}", v) for where, v in mp4 if is_record_tag(where, key)
    ]
    return found, next((v for where, v in mp4 if where == f"keys:{DECLARATION_KEY}"), None)


def _metadata_args(src: Path, value: str, declared: str | None) -> list[str]:
    key = implicit_spec()["key"]
    suffix = src.suffix.lower()
    args = ["-map_metadata", "0"]
    if suffix in (".mp4", ".mov"):
        args += ffmpeg_record_args(src, key, value)
    elif suffix == ".mkv":
        args += ["-metadata", f"{key}={value}"]
    if declared is not None and suffix != ".avi":
        args += ["-metadata", f"{DECLARATION_KEY}={declared}"]
    return args


def _finish(src: Path, dst: Path, value: str, declared: str | None) -> None:
    """AVI only: add the INFO sub-chunks ffmpeg could not write."""
    if src.suffix.lower() == ".avi":
        values = {implicit_spec()["key"].encode("ascii"): value}
        if declared is not None:
            values[DECLARATION_ID] = declared
        write_avi_info(dst, values)


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
    suffixes: tuple[str, ...] = (".mp4", ".mov", ".mkv", ".avi")
    positions: tuple[str, ...] = tuple(POSITIONS)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        records, declared = _found(path)
        return Inspection(records, _explicit(path, declared) if explicit else SKIPPED)

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        _, existing = _found(src)
        suffix = src.suffix.lower()
        value = meta.to_json()
        muxer = ["-f", _MUXER[suffix], str(dst)]
        if not opts.explicit:
            metadata = _metadata_args(src, value, None)
            ffmpeg(["-i", str(src), "-map", "0", "-c", "copy", *metadata, *muxer], path=src)
            _finish(src, dst, value, existing)
            return
        draw, declared = self._drawtext(src, dst, opts)
        textfile = dst.with_suffix(".label.txt")
        textfile.write_text(opts.text, encoding="utf-8")
        try:
            codec = _VIDEO_CODEC.get(suffix, _X264)
            metadata = _metadata_args(src, value, declared)
            ffmpeg(
                ["-i", str(src), "-map", "0", "-c", "copy", "-vf", draw, *codec, *metadata, *muxer],
                path=src,
            )
        finally:
            textfile.unlink(missing_ok=True)
        _finish(src, dst, value, declared)

    @staticmethod
    def _drawtext(src: Path, dst: Path, opts: ApplyOptions) -> tuple[str, str]:
        """The drawtext filter for the label and our declaration of what it draws (box, text, until)."""
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
        plate = "0x{:02x}{:02x}{:02x}".format(*PLATE)
        textfile = dst.with_suffix(".label.txt")
        draw = (
            f"drawtext=fontfile='{font}':textfile='{textfile}':fontsize={size}:fontcolor=white:"
            f"box=1:boxcolor={plate}@1.0:boxborderw={pad}:x={x + pad}:y={y + pad}:"
            f"enable='lt(t,{until})'"
        )
        return draw, json.dumps(declared, ensure_ascii=False)


label_writers.register("video")(VideoWriter())
