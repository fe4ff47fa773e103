"""Fixtures for the labelling tests: small real media made in tmp_path (Pillow, numpy, ffmpeg), and
exiftool/ffprobe as readers we did not write."""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import docx
import numpy as np
import pytest
from PIL import Image

from aibeian.labeling import LabelMeta

CONFIG = Path(__file__).with_name("exiftool.config")
META = LabelMeta(ContentProducer="001191110108MA01ABCDEF12345", ProduceID="job-0001")


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is not installed; CI installs it from .ci/apt-packages.txt")
    return found


def exiftool(*args: str | Path) -> list[dict[str, object]]:
    """Read (or write) with exiftool and our TC260 config; returns exiftool's JSON for reads."""
    out = subprocess.run(
        [need("exiftool"), "-config", str(CONFIG), "-j", "-G1", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out) if out.strip().startswith("[") else []


def exiftool_write(path: Path, tag: str, value: str) -> None:
    subprocess.run(
        [need("exiftool"), "-config", str(CONFIG), "-q", "-overwrite_original", f"-{tag}={value}", str(path)],
        check=True,
        capture_output=True,
    )


def ffprobe_tags(path: Path) -> dict[str, str]:
    out = subprocess.run(
        [need("ffprobe"), "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tags: dict[str, str] = json.loads(out)["format"].get("tags", {})
    return tags


def noise_image(w: int, h: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    base = np.linspace(60, 200, w, dtype=np.float32)[None, :, None].repeat(h, 0).repeat(3, 2)
    return Image.fromarray(np.clip(base + rng.normal(0, 25, (h, w, 3)), 0, 255).astype(np.uint8))


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    def make(ext: str, size: tuple[int, int] = (640, 480), name: str = "img") -> Path:
        path = tmp_path / f"{name}.{ext}"
        noise_image(*size).save(path)
        return path

    return make


@pytest.fixture
def make_audio(tmp_path: Path) -> Callable[..., Path]:
    def make(ext: str, seconds: float = 1.5, name: str = "snd") -> Path:
        wav = tmp_path / f"{name}-src.wav"
        rate = 22050
        t = np.arange(int(seconds * rate)) / rate
        tone = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
        with wave.open(str(wav), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes((tone * 32767).astype("<i2").tobytes())
        if ext == "wav":
            return wav.rename(tmp_path / f"{name}.wav")
        out = tmp_path / f"{name}.{ext}"
        subprocess.run([need("ffmpeg"), "-v", "error", "-y", "-i", str(wav), str(out)], check=True)
        return out

    return make


@pytest.fixture
def make_video(tmp_path: Path) -> Callable[..., Path]:
    def make(seconds: float = 3.0, size: str = "320x240", name: str = "vid") -> Path:
        out = tmp_path / f"{name}.mp4"
        subprocess.run(
            [
                need("ffmpeg"),
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc=size={size}:rate=10:duration={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}",
                "-shortest",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(out),
            ],
            check=True,
        )
        return out

    return make


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "doc") -> Path:
        out = tmp_path / f"{name}.pdf"
        Image.new("RGB", (595, 842), "white").save(out)
        return out

    return make


@pytest.fixture
def make_docx(tmp_path: Path) -> Callable[..., Path]:
    def make(name: str = "doc") -> Path:
        out = tmp_path / f"{name}.docx"
        d = docx.Document()
        d.add_paragraph("第一段正文。")
        d.add_paragraph("Second paragraph.")
        d.core_properties.title = "测试文档"
        d.save(str(out))
        return out

    return make
