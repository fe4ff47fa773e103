"""MP3, WAV, FLAC and M4A: the audible rhythm cue at the start and the AIGC record in each container's
own tag (ID3v2 TXXX, a RIFF ``AIGC`` chunk, a Vorbis comment, an MP4 ``keys`` entry).

The cue is joined to the audio by ffmpeg and the file re-encoded in its own codec; metadata is written
afterwards (mutagen for ID3 and Vorbis comments, our own RIFF code, ffmpeg for MP4 keys, which mutagen
cannot write), and every older AIGC copy is removed so the file carries exactly one.
"""

from __future__ import annotations

import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import FLAC, FLACNoHeaderError
from mutagen.id3 import ID3, TXXX, ID3NoHeaderError

from aibeian.errors import InputError
from aibeian.labeling._cue import cue_samples as make_cue
from aibeian.labeling._cue import detect_cue
from aibeian.labeling._ffmpeg import decode_mono, ffmpeg
from aibeian.labeling._fields import LabelMeta, implicit_spec
from aibeian.labeling._handler import ApplyOptions, label_writers
from aibeian.labeling._mp4box import Mp4Error, ffmpeg_record_args, is_record_tag, read_mp4_tags
from aibeian.labeling._report import SKIPPED, ExplicitResult, Inspection

__all__ = ["AudioWriter"]

_CODEC = {
    ".mp3": ["-c:a", "libmp3lame", "-q:a", "2"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "192k"],
}
_WAV_CODEC = {1: "pcm_u8", 2: "pcm_s16le", 3: "pcm_s24le", 4: "pcm_s32le"}


def _key() -> str:
    key: str = implicit_spec()["key"]
    return key


# --- RIFF/WAV ------------------------------------------------------------------------------------------
def _riff_chunks(data: bytes, path: Path) -> list[tuple[bytes, int, int]]:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise InputError("not a RIFF/WAVE file / WAV 文件损坏", path=str(path))
    (riff_size,) = struct.unpack("<I", data[4:8])
    if riff_size + 8 > len(data):
        raise InputError("WAV is truncated (RIFF size exceeds the file) / 文件被截断", path=str(path))
    pos, out = 12, []
    while pos + 8 <= riff_size + 8:
        cid = data[pos : pos + 4]
        (size,) = struct.unpack("<I", data[pos + 4 : pos + 8])
        if pos + 8 + size > len(data):
            raise InputError(f"WAV is truncated inside chunk {cid!r} / 文件被截断", path=str(path))
        out.append((cid, pos, pos + 8 + size + (size & 1)))
        pos += 8 + size + (size & 1)
    return out


def _wav_records(path: Path) -> list[tuple[str, str | dict[str, Any]]]:
    data = path.read_bytes()
    tag = _key().encode("ascii")
    return [
        (
            "RIFF chunk AIGC",
            data[s + 8 : s + 8 + struct.unpack("<I", data[s + 4 : s + 8])[0]]
            .decode("utf-8", "replace")
            .rstrip("\x00"),
        )
        for c, s, _e in _riff_chunks(data, path)
        if c == tag
    ]


def _wav_write(path: Path, value: str) -> None:
    data = path.read_bytes()
    tag = _key().encode("ascii")
    kept = [data[s:e] for c, s, e in _riff_chunks(data, path) if c != tag]
    body = value.encode("utf-8")
    kept.append(tag + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) & 1 else b""))
    payload = b"WAVE" + b"".join(kept)
    path.write_bytes(b"RIFF" + struct.pack("<I", len(payload)) + payload)


# --- per-container records -----------------------------------------------------------------------------
def _records(path: Path) -> list[tuple[str, str | dict[str, Any]]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".wav":
            return _wav_records(path)
        if suffix == ".mp3":
            try:
                tags = ID3(path)
            except ID3NoHeaderError:
                return []
            return [
                ("ID3v2 TXXX:AIGC", str(t.text[0]) if t.text else "")
                for t in tags.getall("TXXX")
                if t.desc == _key()
            ]
        if suffix == ".flac":
            flac = FLAC(path)
            comments = flac.tags.as_dict() if flac.tags is not None and hasattr(flac.tags, "as_dict") else {}
            return [
                ("VORBIS_COMMENT AIGC", v) for k, vs in comments.items() if k.upper() == _key() for v in vs
            ]
        return [(f"MP4 {where}", v) for where, v in read_mp4_tags(path) if is_record_tag(where, _key())]
    except (mutagen.MutagenError, FLACNoHeaderError, Mp4Error, struct.error) as exc:
        raise InputError(f"corrupt or truncated audio ({exc}) / 音频文件损坏", path=str(path)) from exc


def _write_meta(path: Path, value: str) -> None:
    suffix = path.suffix.lower()
    if suffix == ".wav":
        _wav_write(path, value)
    elif suffix == ".mp3":
        try:
            tags = ID3(path)
        except ID3NoHeaderError:
            tags = ID3()
        tags.delall(f"TXXX:{_key()}")
        tags.add(TXXX(encoding=3, desc=_key(), text=[value]))
        tags.save(path)
    elif suffix == ".flac":
        flac = FLAC(path)
        if flac.tags is None:
            flac.add_tags()
        flac[_key()] = [value]
        flac.save()


def _audio_params(path: Path) -> tuple[int, int, int]:
    """Sample rate, channels and (WAV only) bytes per sample, read without decoding."""
    try:
        if path.suffix.lower() == ".wav":
            with wave.open(str(path)) as w:
                return w.getframerate(), w.getnchannels(), w.getsampwidth()
        info = mutagen.File(path)
    except (mutagen.MutagenError, wave.Error, EOFError, struct.error) as exc:
        raise InputError(f"corrupt or truncated audio ({exc}) / 音频文件损坏", path=str(path)) from exc
    if info is None or not getattr(info.info, "sample_rate", 0):
        raise InputError("unreadable audio stream / 无法读取音频流", path=str(path))
    return int(info.info.sample_rate), int(getattr(info.info, "channels", 2) or 2), 2


class AudioWriter:
    name = "audio"
    suffixes: tuple[str, ...] = (".mp3", ".wav", ".flac", ".m4a")
    positions: tuple[str, ...] = ("start",)

    def inspect(self, path: Path, *, explicit: bool = True) -> Inspection:
        records = _records(path)
        if not explicit:
            return Inspection(records, SKIPPED)
        rate = 16000
        ok, details = detect_cue(decode_mono(path, seconds=4.0, rate=rate), rate)
        details = {"where": "start" if ok else None, "form": "rhythm", **details}
        problems = (
            [] if ok else [f"no audible {details['pattern']} rhythm cue at the start / 开头未检测到提示音"]
        )
        return Inspection(records, ExplicitResult(ok, details=details, problems=problems))

    def write(self, src: Path, dst: Path, meta: LabelMeta, opts: ApplyOptions) -> None:
        suffix = src.suffix.lower()
        _records(src)  # refuse corrupt input before spending an encode on it
        rate, channels, width = _audio_params(src)
        codec = ["-c:a", _WAV_CODEC.get(width, "pcm_s16le")] if suffix == ".wav" else _CODEC[suffix]
        mp4 = ffmpeg_record_args(src, _key(), meta.to_json()) if suffix == ".m4a" else []
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
        else:
            with tempfile.TemporaryDirectory(prefix="aibeian-cue-") as tmp:
                cue = Path(tmp) / "cue.wav"
                samples = (make_cue(rate, channels) * 32767).astype("<i2")
                with wave.open(str(cue), "wb") as w:
                    w.setnchannels(channels)
                    w.setsampwidth(2)
                    w.setframerate(rate)
                    w.writeframes(samples.tobytes())
                fmt = {".mp3": "mp3", ".flac": "flac", ".m4a": "mp4", ".wav": "wav"}[suffix]
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
        _write_meta(dst, meta.to_json())


label_writers.register("audio")(AudioWriter())
