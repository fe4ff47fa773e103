"""MP3, WAV, FLAC, M4A: the record read back by exiftool and ffprobe, and the 短长短短 cue found at the start."""

from __future__ import annotations

import json
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from tests.labeling.conftest import META, exiftool, ffprobe_tags, need
from tests.labeling.test_fields import LONGEST_ASCII, LONGEST_ZH, records

from aibeian.errors import InputError
from aibeian.labeling import ApplyOptions, LabelMeta, apply, propagate, verify
from aibeian.labeling._cue import cue_samples, detect_cue

EXIF_TAG = {"mp3": "ID3v2_4:UserDefinedText", "wav": "RIFF:AIGC", "flac": "Vorbis:Aigc", "m4a": "Keys:AIGC"}


def decoded(path: Path, rate: int = 16000) -> np.ndarray:
    raw = subprocess.run(
        [need("ffmpeg"), "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768


@pytest.mark.parametrize("ext", ["mp3", "wav", "flac", "m4a"])
def test_audio_label_read_by_exiftool_and_ffprobe(make_audio: Callable[..., Path], ext: str) -> None:
    src = make_audio(ext)
    out = apply(src, META).output
    value = str(exiftool(out)[0][EXIF_TAG[ext]]).removeprefix("(AIGC) ")
    assert json.loads(value) == META.as_dict()
    if ext != "wav":  # ffprobe does not read unknown RIFF chunks
        tags = {k.upper(): v for k, v in ffprobe_tags(out).items()}
        assert json.loads(tags["AIGC"]) == META.as_dict()
    report = verify(out)
    assert report.compliant, report.problems
    assert report.explicit.details["pattern"] == "短长短短"
    # the cue makes the file longer by its own length, and the original follows it
    assert len(decoded(out)) > len(decoded(src)) + 16000


def test_cue_opens_the_audio_independently_measured(make_audio: Callable[..., Path]) -> None:
    out = apply(make_audio("wav"), META).output
    samples = decoded(out)
    frame = 160
    env = np.sqrt((samples[: len(samples) // frame * frame].reshape(-1, frame) ** 2).mean(axis=1))
    on = np.concatenate([[0], (env > 0.1).astype(int), [0]])
    edges = np.flatnonzero(np.diff(on))
    runs = (edges[1::2] - edges[0::2])[:4] * frame / 16000
    assert edges[0] * frame / 16000 < 0.05, "the cue starts the audio"
    assert runs[1] > 2 * runs[0] and abs(runs[2] - runs[0]) < 0.05 and abs(runs[3] - runs[0]) < 0.05


def test_detector_rejects_plain_audio_and_accepts_cue_at_any_level() -> None:
    rate = 16000
    rng = np.random.default_rng(1)
    assert not detect_cue(rng.normal(0, 0.2, rate * 3).astype(np.float32), rate)[0]
    cue = cue_samples(rate, 1)[:, 0]
    for gain in (0.05, 1.0):
        body = (0.9 * np.sin(np.arange(rate * 2) / 5)).astype(np.float32)
        assert detect_cue(np.concatenate([cue * gain, body]), rate)[0]


def test_unlabelled_audio_fails_both_ways(make_audio: Callable[..., Path]) -> None:
    report = verify(make_audio("mp3"))
    assert not report.compliant
    assert any(p.startswith("implicit") for p in report.problems)
    assert any(p.startswith("explicit") for p in report.problems)


def test_propagate_audio_keeps_one_record(make_audio: Callable[..., Path]) -> None:
    for ext in ("mp3", "flac", "wav", "m4a"):
        out = apply(make_audio(ext, name=f"p{ext}"), META).output
        prop = propagate(out, "平台", "pid").output
        report = verify(prop)
        assert report.compliant and report.implicit.copies == 1, (ext, report.problems)
        assert report.implicit.meta is not None and report.implicit.meta.ContentPropagator == "平台"


def test_truncated_wav_and_corrupt_mp3(make_audio: Callable[..., Path], tmp_path: Path) -> None:
    wav = make_audio("wav")
    wav.write_bytes(wav.read_bytes()[:1000])
    with pytest.raises(InputError, match="truncated"):
        verify(wav)
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00" * 500)
    with pytest.raises(InputError):
        apply(bad, META)
    assert not list(tmp_path.glob("bad.aigc*")) and not list(tmp_path.glob(".bad*"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(meta=records)
@example(meta=LONGEST_ZH)
@example(meta=LONGEST_ASCII)
def test_metadata_round_trip_mp3_flac_wav(
    meta: LabelMeta, make_audio: Callable[..., Path], tmp_path: Path
) -> None:
    for ext in ("mp3", "flac", "wav"):
        src = tmp_path / f"src.{ext}"
        if not src.exists():
            make_audio(ext, seconds=0.3, name="src")
        out = apply(src, meta, options=ApplyOptions(explicit=False)).output
        report = verify(out, check_explicit=False)
        assert report.implicit.meta == meta, ext
        out.unlink()


def test_riff_chunk_is_word_aligned(make_audio: Callable[..., Path]) -> None:
    out = apply(
        make_audio("wav"),
        LabelMeta(ContentProducer="p", ProduceID="odd"),
        options=ApplyOptions(explicit=False),
    ).output
    data = out.read_bytes()
    assert struct.unpack("<I", data[4:8])[0] + 8 == len(data)
