"""MP3, WAV, FLAC, M4A: the record read back by exiftool and ffprobe, and the 短长短短 cue found at the start."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from tests.labeling.conftest import META, exiftool, ffprobe_tags, need
from tests.labeling.test_fields import LONGEST_ASCII, LONGEST_ZH, records

from aibeian.errors import InputError, MissingDependencyError
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


@pytest.mark.parametrize(("ext", "tag"), [("ogg", "Vorbis:Aigc"), ("opus", "Vorbis:Aigc")])
def test_ogg_and_opus_record_and_cue(make_audio: Callable[..., Path], ext: str, tag: str) -> None:
    src = make_audio(ext)
    out = apply(src, META).output
    assert json.loads(str(exiftool(out)[0][tag])) == META.as_dict()
    probed = subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_entries", "stream_tags", "-of", "json", str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stream_tags = {k.upper(): v for k, v in json.loads(probed)["streams"][0]["tags"].items()}
    assert json.loads(stream_tags["AIGC"]) == META.as_dict(), "ffprobe reads the Ogg comment header"
    report = verify(out)
    assert report.compliant, report.problems
    assert report.explicit.details["pattern"] == "短长短短"
    prop = propagate(out, "平台", "pid").output
    assert verify(prop).implicit.copies == 1


def sound_runs(samples: np.ndarray, rate: int = 16000) -> np.ndarray:
    """RMS per 10 ms frame, measured here without our code."""
    frame = rate // 100
    n = len(samples) // frame
    return np.sqrt((samples[: n * frame].reshape(n, frame) ** 2).mean(axis=1))


@pytest.mark.parametrize("ext", ["mp3", "wav", "flac", "m4a", "ogg"])
def test_spoken_notice_opens_the_audio(make_audio: Callable[..., Path], ext: str) -> None:
    src = make_audio(ext, seconds=1.0)
    out = apply(src, META, options=ApplyOptions(audio_notice="speech")).output
    before, after = decoded(src), decoded(out)
    grew = (len(after) - len(before)) / 16000
    report = verify(out)
    assert report.compliant, report.problems
    speech = report.explicit.details["speech"]
    assert speech["text"] == "本内容由人工智能生成" and speech["transcribed"] is False
    spoken = speech["span_s"][1] - speech["span_s"][0]
    assert 120 <= 10 / spoken * 60 <= 160, "speaking rate within GB 45438's 120-160 characters a minute"
    assert abs(grew - (spoken + 0.3)) < 0.15, "the file grew by the notice and its pause"
    env = sound_runs(after)
    assert env[:30].max() > 0.02, "sound within the first 300 ms"
    assert (env[: int(spoken * 100)] > 0.005).mean() > 0.6, "mostly voiced over the notice's length"
    # the content follows: the original tone is at the end, unchanged in level
    assert abs(sound_runs(before)[-40:-5].mean() - env[-40:-5].mean()) < 0.05
    tags = exiftool("-a", "-G1:4", out)[0]  # -a: MP3 holds two TXXX frames (the record and our declaration)
    values = [str(v) for k, v in tags.items() if k.upper().endswith("AIGC") or str(v).startswith("(AIGC) ")]
    assert [json.loads(v.removeprefix("(AIGC) ")) for v in values] == [META.as_dict()], "metadata survives"


def test_both_cue_then_speech_and_custom_text(make_audio: Callable[..., Path]) -> None:
    out = apply(
        make_audio("wav"), META, options=ApplyOptions(audio_notice="both", text="此音频由AI合成")
    ).output
    report = verify(out)
    assert report.compliant, report.problems
    details = report.explicit.details
    assert details["form"] == "rhythm+speech" and details["rhythm"]["pattern"] == "短长短短"
    assert details["speech"]["text"] == "此音频由AI合成" and details["speech"]["span_s"][0] > 1.0


def test_silenced_speech_is_caught(make_audio: Callable[..., Path], tmp_path: Path) -> None:
    """A declaration is a claim: if the notice is cut out of the audio, verification fails."""
    out = apply(make_audio("flac"), META, options=ApplyOptions(audio_notice="speech")).output
    muted = tmp_path / "muted.flac"
    subprocess.run(
        [
            need("ffmpeg"),
            "-v",
            "error",
            "-y",
            "-i",
            str(out),
            "-af",
            "volume=enable='lt(t,4)':volume=0",
            "-map_metadata",
            "0",
            str(muted),
        ],
        check=True,
    )
    report = verify(muted)
    assert not report.compliant
    assert any("no speech" in p for p in report.problems)


def test_missing_espeak_is_a_clear_error(
    make_audio: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_which = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, *a, **k: None if name == "espeak-ng" else real_which(name)
    )
    src = make_audio("wav")
    with pytest.raises(MissingDependencyError, match="apt-get install espeak-ng"):
        apply(src, META, options=ApplyOptions(audio_notice="speech"))
    assert not list(src.parent.glob("*.aigc.*")), "nothing half-written"


def test_unknown_audio_notice_is_refused(make_audio: Callable[..., Path]) -> None:
    with pytest.raises(InputError, match="audio notice"):
        apply(make_audio("wav"), META, options=ApplyOptions(audio_notice="jingle"))
