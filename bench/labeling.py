"""Benchmark: label and verify 1,000 JPEGs (1-4 MP) and 1,000 PNGs (0.3-1 MP), against exiftool in the same run.

aibeian apply draws the visible label and writes the XMP record (JPEG: the plate spliced in as DCT blocks by
the C passthrough, which keeps the entropy data outside the plate, or libjpeg-turbo's lossless transformer
when the passthrough refuses the file; PNG: decode, draw, re-encode); exiftool, the peer, writes the same XMP
field (TC260:AIGC) in -stay_open batch mode and draws nothing. Verify: aibeian reads the
record and checks the label's pixels; exiftool reads the field. Files/s, median of --runs runs.

    .venv/bin/python bench/labeling.py --count 1000 --runs 5 --workdir /tmp/aibeian-bench [--only jpeg]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import numpy as np
from PIL import Image

from aibeian.labeling import ApplyOptions, LabelMeta, _image, apply, verify
from aibeian.labeling._batch import run_apply

CONFIG = Path(__file__).resolve().parents[1] / "tests" / "labeling" / "exiftool.config"
META = LabelMeta(ContentProducer="001191110108MA01ABCDEF12345", ProduceID="bench-0001")


def make_corpus(folder: Path, kind: str, count: int, mp_range: tuple[float, float], seed: int) -> list[Path]:
    """Photo-like images (gradients + grain): realistic sizes and codec work, generated locally."""
    folder.mkdir(parents=True, exist_ok=True)
    existing = sorted(folder.glob(f"*.{kind}"))
    if len(existing) >= count:
        return existing[:count]
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(count):
        mp = rng.uniform(*mp_range) * 1e6
        aspect = rng.choice([4 / 3, 16 / 9, 1.0, 3 / 4])
        w = int((mp * aspect) ** 0.5)
        h = int(mp / w)
        x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        planes = [200 * x + 30 * y, 120 + 80 * y * x, 220 - 150 * y + 0 * x]
        base = np.stack([np.broadcast_to(p, (h, w)) for p in planes], axis=-1)
        grain = rng.standard_normal((h, w, 1), dtype=np.float32) * 5
        img = Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8))
        path = folder / f"img{i:04d}.{kind}"
        img.save(path, quality=90) if kind == "jpg" else img.save(path, compress_level=6)
        paths.append(path)
    return paths


class ExifTool:
    """exiftool -stay_open: one process, commands through stdin, the way batch users run it."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            ["exiftool", "-config", str(CONFIG), "-stay_open", "True", "-@", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def run(self, args: list[str]) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\n".join([*args, "-execute"]) + "\n")
        self.proc.stdin.flush()
        out = []
        for line in self.proc.stdout:
            if line.startswith("{ready}"):
                break
            out.append(line)
        return "".join(out)

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("-stay_open\nFalse\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=30)


def interleaved(jobs: dict[str, Callable[[Path], object]], items: list[Path]) -> dict[str, float]:
    """Files per second for each job, running the jobs one after another on each file, so that every job
    sees the same load (the machine is shared; a load spike then hits all of them, not one)."""
    spent = dict.fromkeys(jobs, 0.0)
    for item in items:
        for name, job in jobs.items():
            start = time.perf_counter()
            job(item)
            spent[name] += time.perf_counter() - start
    return {name: len(items) / seconds for name, seconds in spent.items()}


def bench(files: list[Path], out: Path, runs: int, et: ExifTool) -> dict[str, dict[str, float]]:
    names = (
        "aibeian apply (visible label + XMP)",
        "aibeian apply (visible label + XMP), full decode + re-encode",
        "aibeian apply (visible label + XMP), 2 processes",
        "aibeian apply (XMP only)",
        "exiftool write XMP",
        "aibeian verify (XMP + pixel check)",
        "aibeian verify (XMP only)",
        "exiftool read XMP",
    )
    results: dict[str, list[float]] = {k: [] for k in names}
    ratios: list[float] = []
    ours, full, theirs, meta_only = out / "ours", out / "full", out / "exiftool", out / "meta"
    value = META.to_json()
    xmp_only = ApplyOptions(explicit=False)

    def full_reencode(f: Path) -> object:
        """The pre-splice path, for comparison: JPEG splicing switched off for this call."""
        with mock.patch.object(_image, "_splice", lambda *_a: "benchmark: splicing off"):
            return apply(f, META, out=full)

    for d in (ours, full):  # warm up: font lookup, libturbojpeg loading, first-call imports
        d.mkdir(parents=True, exist_ok=True)
    apply(files[0], META, out=ours)
    full_reencode(files[0])
    for _ in range(runs):
        for d in (ours, full, theirs, meta_only):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        got = interleaved(
            {
                names[0]: lambda f: apply(f, META, out=ours),
                names[1]: full_reencode,
                names[3]: lambda f: apply(f, META, out=meta_only, options=xmp_only),
                names[4]: lambda f: et.run([f"-XMP-TC260:AIGC={value}", "-o", f"{theirs}/", str(f)]),
            },
            files,
        )
        for name, files_per_s in got.items():
            results[name].append(files_per_s)
        ratios.append(got[names[4]] / got[names[0]])
        shutil.rmtree(ours)
        ours.mkdir()
        start = time.perf_counter()
        run_apply(
            [(f, Path(f.name)) for f in files],
            META,
            META.ProduceID,
            ApplyOptions(),
            out=ours,
            in_place=False,
            progress=lambda _item: None,
            jobs=2,
        )
        results[names[2]].append(len(files) / (time.perf_counter() - start))
        labelled = sorted(ours.iterdir())
        got = interleaved(
            {
                names[5]: verify,
                names[6]: lambda f: verify(f, check_explicit=False),
                names[7]: lambda f: et.run(["-j", "-XMP-TC260:AIGC", str(f)]),
            },
            labelled,
        )
        for name, files_per_s in got.items():
            results[name].append(files_per_s)
        assert all(verify(f).compliant for f in labelled[:20])
        read = json.loads(et.run(["-j", "-XMP-TC260:AIGC", str(labelled[0])]))[0]
        assert json.loads(read["AIGC"]) == META.as_dict()
        theirs_files = sorted(theirs.iterdir())
        assert len(theirs_files) == len(files) and verify(theirs_files[0], check_explicit=False).compliant
    summary = {k: {"median": statistics.median(v), "min": min(v), "max": max(v)} for k, v in results.items()}
    summary["apply with label ÷ exiftool write (time ratio, per run)"] = {
        "median": statistics.median(ratios),
        "min": min(ratios),
        "max": max(ratios),
    }
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/aibeian-bench-labeling"))
    ap.add_argument("--only", choices=["jpeg", "png"], default=None, help="benchmark one corpus only")
    args = ap.parse_args()
    corpora = {}
    if args.only in (None, "jpeg"):
        corpora["JPEG 1-4 MP"] = make_corpus(args.workdir / "src-jpg", "jpg", args.count, (1.0, 4.0), 1)
    if args.only in (None, "png"):
        corpora["PNG 0.3-1 MP"] = make_corpus(args.workdir / "src-png", "png", args.count, (0.3, 1.0), 2)
    print(
        f"# labeling benchmark — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{platform.processor() or platform.machine()}, load {subprocess.getoutput('cat /proc/loadavg')}"
    )
    print(f"files per corpus: {args.count}; runs: {args.runs}; figures are files/s (median, min-max)\n")
    et = ExifTool()
    try:
        for name, files in corpora.items():
            res = bench(files, args.workdir / "out" / name.split()[0].lower(), args.runs, et)
            print(f"| {name} | files/s median | min | max |\n|---|---:|---:|---:|")
            for k, v in res.items():
                print(f"| {k} | {v['median']:.1f} | {v['min']:.1f} | {v['max']:.1f} |")
            print()
    finally:
        et.close()
    print(f"load after: {subprocess.getoutput('cat /proc/loadavg')}")


if __name__ == "__main__":
    main()
