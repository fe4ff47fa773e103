"""MP3, WAV, FLAC, M4A, OGG and Opus: an audible notice at the start and the AIGC record in each
container's own tag (ID3v2 TXXX, a RIFF ``AIGC`` chunk, a Vorbis comment, an MP4 ``keys`` entry).

The notice is the 短长短短 rhythm cue, a spoken notice (espeak-ng, see ``_speech``) or both; it is joined to
the audio by ffmpeg and the file re-encoded in its own codec. Metadata is written afterwards (mutagen for
ID3 and Vorbis comments, our own RIFF code, ffmpeg for MP4 keys, which mutagen cannot write), and every
older AIGC copy is removed so the file carries exactly one. What we prepended is declared beside the record
(``aibeian_explicit``) so the verifier knows where to listen for the spoken notice; the cue it finds alone.
"""

from __future__ import annotations

import json
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

import mutagen
import numpy as np
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus

from aibeian.errors import InputError
from aibeian.labeling._audio_tags import (
    DECLARATION,
    key,
    read_declared,
    read_records,
    vorbis_file,
    write_tags,
)
from aibeian.labeling._cue import cue_samples as make_cue
from aibeian.labeling._cue import detect_cue
from aibeian.labeling._ffmpeg import decode_mono, ffmpeg
from aibeian.labeling._fields import LabelMeta
from aibeian.labeling._handler import DEFAULT_TEXT, ApplyOptions, label_writers
from aibeian.labeling._mp4box import ffmpeg_record_args
from aibeian.labeling._report import SKIPPED, ExplicitResult, Inspection
from aibeian.labeling._speech import NOTICE_TEXT, check_speech, speech_samples

__all__ = ["AudioWriter"]

_CODEC = {
    ".mp3": ["-c:a", "libmp3lame", "-q:a", "2"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k"],
}
_WAV_CODEC = {1: "pcm_u8", 2: "pcm_s16le", 3: "pcm_s24le", 4: "pcm_s32le"}


def _audio_params(path: Path) -> tuple[int, int, int]:
    """Sample rate, channels and (WAV only) bytes per sample, read without decoding."""
    try:
        if path.suffix.lower() == ".wav":
            with wave.open(str(path)) as w:
                return w.getframerate(), w.getnchannels(), w.getsampwidth()
        info = mutagen.File(path)
    except (mutagen.MutagenError, wave.Error, EOFError, struct.error) as exc:
        raise InputError(f"corrupt or truncated audio ({exc}) / 音频文件损坏", path=str(path)) from exc
    if isinstance(info, OggOpus):
        return 48000, int(getattr(info.info, "channels", 2) or 2), 2  # Opus always decodes at 48 kHz
    if info is None or not getattr(info.info, "sample_rate", 0):
        raise InputError("unreadable audio stream / 无法读取音频流", path=str(path))
    return int(info.info.sample_rate), int(getattr(info.info, "channels", 2) or 2), 2


def _codec(src: Path, width: int) -> tuple[list[str], str]:
    """ffmpeg codec options and muxer that keep the file's own codec and container."""
    suffix = src.suffix.lower()
    if suffix == ".wav":
        return ["-c:a", _WAV_CODEC.get(width, "pcm_s16le")], "wav"
    if suffix in (".ogg", ".opus"):
        stream = vorbis_file(src)
        if isinstance(stream, OggOpus) or suffix == ".opus":
            return ["-c:a", "libopus", "-b:a", "96k"], "ogg"
        if isinstance(stream, OggFLAC):
            return ["-c:a", "flac"], "ogg"
        return ["-c:a", "libvorbis", "-q:a", "5"], "ogg"
    return _CODEC[suffix], {".mp3": "mp3", ".flac": "flac", ".m4a": "mp4"}[suffix]


def _notice(opts: ApplyOptions, rate: int, channels: int, src: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """The samples to put before the audio and their declaration (form, and where the speech is)."""
    parts: list[np.ndarray] = []
    declared: dict[str, Any] = {
        "form": {"cue": "rhythm", "speech": "speech", "both": "rhythm+speech"}[opts.audio_notice]
    }
    if opts.audio_notice in ("cue", "both"):
        parts.append(make_cue(rate, channels))
    if opts.audio_notice in ("speech", "both"):
        text = opts.text if opts.text != DEFAULT_TEXT else NOTICE_TEXT
        samples, speech = speech_samples(text, rate, channels, path=src)
        start = sum(len(p) for p in parts) / rate
        declared["speech"] = {**speech, "start_s": round(start, 3), "after_cue_s": round(start, 3)}
        parts.append(samples)
    return np.concatenate(parts), declared


class AudioWriter:
    name = "audio"
    suffixes: tuple[str, ...] = (".mp3", ".wav", ".flac", ".m4a", ".ogg", ".opus")
    positions: tuple[str, ...] = ("start",)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        records = read_records(path)
        if not explicit:
            return Inspection(records, SKIPPED)
        declared = read_declared(path) or {}
        speech = declared.get("speech") if isinstance(declared.get("speech"), dict) else None
        rate = 16000
        listen = (
            4.0
            if speech is None
            else max(4.0, float(speech.get("start_s", 0)) + float(speech.get("speech_s", 0)) + 0.5)
        )
        mono = decode_mono(path, seconds=listen, rate=rate)
        cue_ok, details = detect_cue(mono, rate)
        details = {"where": "start" if cue_ok else None, "form": "rhythm", **details}
        problems: list[str] = []
        if speech is None:
            ok = cue_ok
            if not ok:
                problems.append(
                    f"no audible {details['pattern']} rhythm cue at the start, and no declared spoken notice "
                    "(speech by other tools cannot be recognised without transcription) / 开头未检测到提示音"
                )
            return Inspection(records, ExplicitResult(ok, details=details, problems=problems))
        speech_ok, speech_details, speech_problems = check_speech(mono, rate, speech)
        wants_cue = str(declared.get("form", "")).startswith("rhythm")
        ok = speech_ok and (cue_ok or not wants_cue)
        details = {
            "where": "start" if ok else None,
            "form": declared.get("form", "speech"),
            "speech": speech_details,
            "note": "spoken notice checked as sound at the declared place and rate; words not transcribed",
            **(
                {"rhythm": {k: v for k, v in details.items() if k not in ("where", "form")}}
                if wants_cue
                else {}
            ),
        }
        problems += speech_problems
        if wants_cue and not cue_ok:
            problems.append("declared rhythm cue not found at the start / 开头未检测到提示音")
        return Inspection(records, ExplicitResult(ok, details=details, problems=problems))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        suffix = src.suffix.lower()
        read_records(src)  # refuse corrupt input before spending an encode on it
        rate, channels, width = _audio_params(src)
        codec, fmt = _codec(src, width)
        mp4 = ffmpeg_record_args(src, key(), meta.to_json()) if suffix == ".m4a" else []
        if not opts.explicit:
            if suffix == ".m4a":
                ffmpeg(
                    [
                        "-i",
                        str(src),
                        "-map",
                        "0",
                        "-c",
                        "copy",
                        "-map_metadata",
                        "0",
                        *mp4,
                        "-f",
                        "mp4",
                        str(dst),
                    ],
                    path=src,
                )
            else:
                dst.write_bytes(src.read_bytes())
            write_tags(dst, meta.to_json(), None)
            return
        intro, declaration = _notice(opts, rate, channels, src)
        declared = json.dumps(declaration, ensure_ascii=False, separators=(",", ":"))
        if suffix == ".m4a":
            mp4 += ["-metadata", f"{DECLARATION}={declared}"]
        with tempfile.TemporaryDirectory(prefix="aibeian-cue-") as tmp:
            cue = Path(tmp) / "notice.wav"
            samples = (np.clip(intro, -1, 1) * 32767).astype("<i2")
            with wave.open(str(cue), "wb") as w:
                w.setnchannels(channels)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(samples.tobytes())
            ffmpeg(
                [
                    "-i",
                    str(cue),
                    "-i",
                    str(src),
                    "-filter_complex",
                    "[0:a][1:a:0]concat=n=2:v=0:a=1[a]",
                    "-map",
                    "[a]",
                    "-map_metadata",
                    "1",
                    *codec,
                    *mp4,
                    "-f",
                    fmt,
                    str(dst),
                ],
                path=src,
            )
        write_tags(dst, meta.to_json(), declared)


label_writers.register("audio")(AudioWriter())
