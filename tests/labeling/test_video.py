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
