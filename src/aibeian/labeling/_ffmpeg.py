"""Running Debian's ffmpeg/ffprobe: one place for the missing-binary hint and for turning failures into
per-file messages (ffmpeg's last stderr line says what was wrong with the input)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from aibeian.errors import InputError, MissingDependencyError

__all__ = ["decode_mono", "ffmpeg", "probe"]


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise MissingDependencyError(name, purpose="audio and video labels (apt-get install ffmpeg)")
    return found


def ffmpeg(args: list[str], *, path: Path, stdout: bool = False, stdin: bytes | None = None) -> bytes:
    """Run ffmpeg quietly; a failure becomes an InputError naming ``path`` and ffmpeg's own reason."""
    quiet = ["-hide_banner", "-v", "error", "-y"]
    cmd = [_binary("ffmpeg"), *(quiet if stdin is not None else ["-nostdin", *quiet]), *args]
    done = subprocess.run(cmd, capture_output=True, check=False, input=stdin)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1] if lines else f"exit code {done.returncode}"
        raise InputError(f"ffmpeg could not process the file ({reason}) / 音视频处理失败", path=str(path))
    return done.stdout if stdout else b""


def probe(path: Path) -> dict[str, Any]:
    cmd = [_binary("ffprobe"), "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)]
    done = subprocess.run(cmd, capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(
            f"unreadable media ({reason[-1] if reason else 'ffprobe failed'}) / 文件损坏", path=str(path)
        )
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def decode_mono(path: Path, *, seconds: float, rate: int = 16000) -> np.ndarray:
    """The first ``seconds`` of the audio as mono float32 in [-1, 1]."""
    raw = ffmpeg(
        ["-i", str(path), "-t", f"{seconds}", "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
        path=path,
        stdout=True,
    )
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
