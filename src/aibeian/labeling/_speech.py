"""The spoken audio notice ("本内容由人工智能生成"), synthesised offline with Debian's espeak-ng.

GB 45438 allows a spoken notice (form ``speech``) as the explicit label of audio, at a Chinese speaking rate
of 120–160 characters per minute (labeling.yaml). espeak-ng's Mandarin voice runs on the machine, ships its
own data and never fetches anything; its rate setting is in words per minute and does not map cleanly onto
Chinese characters, so we measure the voiced length of what it produced and stretch it (ffmpeg ``atempo``,
pitch kept) to the middle of the allowed range. The verifier cannot transcribe speech (no ASR offline): it
checks our declaration of the notice against the audio — sound where the notice is declared, at a rate in
range — and says plainly that the words themselves were not transcribed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
import wave
from pathlib import Path
from typing import Any

import numpy as np

from aibeian.errors import InputError, MissingDependencyError
from aibeian.labeling._ffmpeg import ffmpeg
from aibeian.standards import load_standards

__all__ = ["NOTICE_TEXT", "check_speech", "speech_samples", "speech_units"]

NOTICE_TEXT = "本内容由人工智能生成"
VOICE = "cmn"
PAUSE_S = 0.3  # silence after the notice, before the content
FRAME_S = 0.01


def _espeak() -> str:
    found = shutil.which("espeak-ng")
    if found is None:
        err = MissingDependencyError("espeak-ng", purpose="the spoken audio notice")
        err.args = (
            "espeak-ng is needed for the spoken audio notice (--audio-notice speech|both) but is not installed; "
            "install it with: apt-get install espeak-ng (or use --audio-notice cue) / 缺少 espeak-ng 语音合成",
        )
        raise err
    return found


def rate_range() -> tuple[float, float]:
    lo, hi = load_standards().labeling["explicit"]["audio"]["speech_rate_zh_per_min"]
    return float(lo), float(hi)


def speech_units(text: str) -> int:
    """Syllables a listener hears: one per Han character, one per run of Latin letters or digits ("AI")."""
    units, in_word = 0, False
    for ch in text:
        if unicodedata.category(ch).startswith("L") and ord(ch) > 0x2E7F:
            units, in_word = units + 1, False
        elif ch.isalnum():
            units, in_word = units + (not in_word), True
        else:
            in_word = False
    return units


def _voiced_span(mono: np.ndarray, rate: int) -> tuple[int, int]:
    frame = max(1, int(FRAME_S * rate))
    n = len(mono) // frame
    rms = np.sqrt(np.mean(mono[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
    loud = np.flatnonzero(rms > max(1e-4, float(rms.max()) * 0.05))
    if loud.size == 0:
        return 0, 0
    return int(loud[0]) * frame, int(loud[-1] + 1) * frame


def speech_samples(text: str, rate: int, channels: int, *, path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    """The notice as float32 frames × channels at ``rate``, trimmed, stretched to the middle of the allowed
    speaking rate, followed by a short pause; and its declaration (text, seconds, rate per minute)."""
    raw = subprocess.run(
        [_espeak(), "-v", VOICE, "-s", "150", "--stdout", text], capture_output=True, check=False
    )
    if raw.returncode != 0 or not raw.stdout:
        reason = raw.stderr.decode("utf-8", "replace").strip() or f"exit code {raw.returncode}"
        raise InputError(f"espeak-ng could not speak the notice ({reason}) / 语音合成失败", field="--text")
    with wave.open(io.BytesIO(raw.stdout)) as w:
        src_rate = w.getframerate()
        voice = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    start, end = _voiced_span(voice, src_rate)
    voice = voice[start:end]
    lo, hi = rate_range()
    units = max(1, speech_units(text))
    target_s = units / ((lo + hi) / 2) * 60.0
    tempo = min(2.0, max(0.5, (len(voice) / src_rate) / target_s))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(src_rate)
        w.writeframes((voice * 32767).astype("<i2").tobytes())
    stretched = ffmpeg(
        [
            "-f",
            "wav",
            "-i",
            "pipe:0",
            "-af",
            f"atempo={tempo:.4f}",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-f",
            "f32le",
            "-",
        ],
        path=path,
        stdout=True,
        stdin=buf.getvalue(),
    )
    mono = np.frombuffer(stretched, dtype="<f4")
    spoken_s = len(mono) / rate
    mono = np.concatenate([mono, np.zeros(int(PAUSE_S * rate), dtype=np.float32)])
    declaration = {
        "text": text,
        "speech_s": round(spoken_s, 3),
        "rate_per_min": round(units / spoken_s * 60.0, 1),
    }
    return np.repeat(mono[:, None], channels, axis=1), declaration


def check_speech(
    mono: np.ndarray, rate: int, declared: dict[str, Any]
) -> tuple[bool, dict[str, Any], list[str]]:
    """Whether the audio sounds where the declaration puts the notice, at a speaking rate in range."""
    start = float(declared.get("start_s", 0.0))
    length = float(declared.get("speech_s", 0.0))
    text = str(declared.get("text", ""))
    lo, hi = rate_range()
    problems: list[str] = []
    frame = int(FRAME_S * rate)
    a, b = int(start * rate), int((start + length) * rate)
    window = mono[a:b]
    n = len(window) // frame
    sounding = 0.0
    if n:
        rms = np.sqrt(np.mean(window[: n * frame].reshape(n, frame).astype(np.float64) ** 2, axis=1))
        sounding = float((rms > 0.01).mean())
    per_min = speech_units(text) / length * 60.0 if length else 0.0
    details = {
        "text": text,
        "span_s": [round(start, 2), round(start + length, 2)],
        "rate_per_min": round(per_min, 1),
        "sounding_share": round(sounding, 2),
        "transcribed": False,
    }
    ok = n > 0 and sounding >= 0.5
    if not ok:
        problems.append("no speech where the spoken notice is declared / 声明的语音提示处无声音")
    if start > 0.5 + float(declared.get("after_cue_s", 0.0)):
        problems.append(f"spoken notice starts at {start:.1f} s, not at the start / 语音提示不在开头")
    if not lo <= per_min <= hi:
        problems.append(f"speaking rate {per_min:.0f}/min is outside {lo:.0f}–{hi:.0f} characters per minute")
    return ok, details, problems
