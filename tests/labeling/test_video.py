"""MP4: the record in moov/udta/meta keys read by ffprobe and exiftool; the drawn label observed in decoded
frames for at least 2 s and gone afterwards."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from tests.labeling.conftest import META, exiftool, exiftool_write, ffprobe_tags, need

from aibeian.errors import InputError
from aibeian.labeling import ApplyOptions, apply, propagate, verify

pytestmark = pytest.mark.slow


def frame(path: Path, t: float) -> np.ndarray:
    raw = subprocess.run(
        [
            need("ffmpeg"),
            "-v",
            "error",
            "-ss",
            str(t),
            "-i",
            str(path),
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(240, 320)


def dark_share_bottom_right(gray: np.ndarray) -> float:
    corner = gray[240 - 40 :, 320 - 130 :]
    return float((corner < 40).mean())


def test_mp4_metadata_and_visible_label(make_video: Callable[..., Path]) -> None:
    src = make_video(seconds=4)
    out = apply(src, META).output
    assert json.loads(ffprobe_tags(out)["AIGC"]) == META.as_dict()
    assert json.loads(str(exiftool(out)[0]["Keys:AIGC"])) == META.as_dict()
    before = dark_share_bottom_right(frame(src, 1.0))
    for t in (0.0, 1.0, 1.9):
        assert dark_share_bottom_right(frame(out, t)) > before + 0.3, f"label missing at {t} s"
    assert dark_share_bottom_right(frame(out, 3.6)) < before + 0.1, "label should end after the opening"
    report = verify(out)
    assert report.compliant, report.problems
    assert report.explicit.details["shown_s"] >= 2


def test_mp4_propagate_and_exiftool_written(make_video: Callable[..., Path]) -> None:
    src = make_video(seconds=2.5)
    out = apply(src, META, options=ApplyOptions(explicit=False)).output
    prop = propagate(out, "平台", "v-9").output
    tags = ffprobe_tags(prop)
    assert json.loads(tags["AIGC"])["ContentPropagator"] == "平台"
    assert json.loads(tags["AIGC"])["ProduceID"] == META.ProduceID

    other = make_video(seconds=2.5, name="ex")
    exiftool_write(other, "Keys:AIGC", replace(META, ContentProducer="外部").to_json())
    report = verify(other, check_explicit=False)
    assert report.compliant and report.implicit.fields["ContentProducer"].value == "外部"
    again = propagate(other, "平台", "v-10").output
    assert verify(again, check_explicit=False).implicit.copies == 1


def test_short_video_is_flagged(make_video: Callable[..., Path]) -> None:
    out = apply(make_video(seconds=1.2), META).output
    report = verify(out)
    assert not report.compliant
    assert any("minimum" in p for p in report.problems)


def test_truncated_mp4(make_video: Callable[..., Path]) -> None:
    src = make_video(seconds=2)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"truncated|corrupt"):
        verify(src)
    with pytest.raises(InputError):
        apply(src, META)
    assert [p.name for p in src.parent.iterdir()] == [src.name]


@pytest.fixture
def make_container(tmp_path: Path) -> Callable[..., Path]:
    def make(ext: str, seconds: float = 3.0) -> Path:
        out = tmp_path / f"clip.{ext}"
        video = ["-c:v", "mpeg4"] if ext == "avi" else ["-c:v", "libx264", "-preset", "ultrafast"]
        audio = ["-c:a", "libmp3lame"] if ext == "avi" else ["-c:a", "aac"]
        subprocess.run(
            [
                need("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc=size=320x240:rate=10:duration={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}",
                "-shortest",
                *video,
                "-pix_fmt",
                "yuv420p",
                *audio,
                str(out),
            ],
            check=True,
        )
        return out

    return make


# exiftool's names for the record in each container (AVI needs RIFF::Info in tests/labeling/exiftool.config)
CONTAINER_TAG = {"mov": "Keys:AIGC", "mkv": "Matroska:Aigc", "avi": "RIFF:AIGC"}


@pytest.mark.parametrize("ext", ["mov", "mkv", "avi"])
def test_other_containers_record_and_visible_label(make_container: Callable[..., Path], ext: str) -> None:
    src = make_container(ext)
    out = apply(src, META).output
    assert json.loads(str(exiftool(out)[0][CONTAINER_TAG[ext]])) == META.as_dict()
    if ext != "avi":  # ffprobe does not read INFO chunks after the movi list
        assert json.loads(ffprobe_tags(out)["AIGC"]) == META.as_dict()
    before = dark_share_bottom_right(frame(src, 1.0))
    assert dark_share_bottom_right(frame(out, 1.0)) > before + 0.3
    report = verify(out)
    assert report.compliant, report.problems
    prop = propagate(out, "平台", "v-1").output
    again = verify(prop)
    assert again.compliant and again.implicit.copies == 1, again.problems
    # RIFF INFO text has no declared charset; the record is UTF-8 JSON, so tell exiftool so
    read = exiftool("-charset", "RIFF=UTF8", prop)[0]
    assert json.loads(str(read[CONTAINER_TAG[ext]]))["ContentPropagator"] == "平台"


def test_avi_record_is_appended_once_and_the_file_still_plays(make_container: Callable[..., Path]) -> None:
    out = apply(make_container("avi"), META, options=ApplyOptions(explicit=False)).output
    twice = apply(out, META, options=ApplyOptions(explicit=False), in_place=True).output
    assert verify(twice, check_explicit=False).implicit.copies == 1
    data = twice.read_bytes()
    assert data.count(b"AIGC") == 1
    decoded = subprocess.run(
        [need("ffmpeg"), "-v", "error", "-i", str(twice), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert decoded.returncode == 0 and decoded.stderr == ""


def test_exiftool_written_mov_and_mkv_records_verify(make_container: Callable[..., Path]) -> None:
    mov = make_container("mov")
    exiftool_write(mov, "Keys:AIGC", replace(META, ContentProducer="外部").to_json())
    report = verify(mov, check_explicit=False)
    assert report.compliant and report.implicit.fields["ContentProducer"].value == "外部"
