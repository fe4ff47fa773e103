"""Corpus-scan benchmark (issue 6): throughput of the local engine (1 and 2 workers) against the raw matcher,
the Ray engine's throughput and start-up overhead, a plain multiprocessing.Pool baseline, and peak memory at
two corpus sizes. Each configuration is timed on both corpus sizes: the whole-scan rate on the big one, and
the steady-state rate per worker as the slope between the two (fixed start-up costs cancel out); shares of
the raw matcher are taken per run against the raw speed timed right before it, then the median. With
--scale-mb, the same big corpus is also scanned as one file (cut into parts by the plan) with 1 and 2 workers. Data: real Chinese text (../shared/data/external/cn-laws-corpus) repeated and shuffled to
size in a temporary folder; a 10k-keyword library drawn (seeded) from the konsheng lexicon's word files.

    .venv/bin/python bench/corpus.py [--mb 200] [--small-mb 50] [--runs 5] [--no-ray] [--scale-mb 1000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXTERNAL = REPO.parent / "shared" / "data" / "external"
LAWS = EXTERNAL / "cn-laws-corpus"
LEXICON = EXTERNAL / "konsheng-sensitive-lexicon" / "Vocabulary"
FILE_MB = 20
WARM_CACHE = Path(tempfile.gettempdir()) / f"aibeian-bench-corpus-cache-{os.getpid()}"


def build_library(path: Path, n: int = 10_000) -> Path:
    from aibeian.keywords import Library

    words: list[str] = []
    for f in sorted(LEXICON.glob("*.txt")):
        for line in f.read_text(encoding="utf-8", errors="ignore").splitlines():
            w = line.strip()
            if w and not any(c in w for c in ',"\r\n') and len(w) >= 2:
                words.append(w)
    words = list(dict.fromkeys(words))
    random.Random(6).shuffle(words)
    chosen: list[str] = []
    path.write_text("keyword,risk\n", encoding="utf-8")
    for w in words:  # keep only keywords the library accepts (some are pure punctuation)
        path.write_text("keyword,risk\n" + f"{w},A.1.8\n", encoding="utf-8")
        try:
            Library.load(path)
        except Exception:
            continue
        chosen.append(w)
        if len(chosen) == n:
            break
    path.write_text("keyword,risk\n" + "".join(f"{w},A.1.8\n" for w in chosen), encoding="utf-8")
    return path


def paragraphs() -> list[str]:
    paras: list[str] = []
    for f in sorted(LAWS.rglob("*.md")):
        text = f.read_text(encoding="utf-8")
        buf = ""
        for p in text.split("\n\n"):
            buf += p + "\n"
            if len(buf) >= 600:
                paras.append(buf)
                buf = ""
        if buf:
            paras.append(buf)
    return paras


def build_corpus(root: Path, megabytes: int, seed: int = 1) -> int:
    """JSONL files of ~FILE_MB each until ``megabytes`` of JSONL exist; returns the byte count."""
    root.mkdir(parents=True, exist_ok=True)
    paras = paragraphs()
    rng = random.Random(seed)
    total, index = 0, 0
    while total < megabytes << 20:
        rng.shuffle(paras)
        with open(root / f"part-{index:04}.jsonl", "w", encoding="utf-8") as fh:
            size = 0
            for p in paras:
                line = json.dumps({"text": p}, ensure_ascii=False) + "\n"
                fh.write(line)
                size += len(line.encode())
                if size >= FILE_MB << 20 or total + size >= megabytes << 20:
                    break
        total += size
        index += 1
    return total


class RawMatcher:
    """MB/s of Matcher.spans on 1 MB batches of the same paragraphs (what the shard function calls), timed
    again next to every scan so a load spike on the shared machine hits both sides of a ratio."""

    def __init__(self, library: Path) -> None:
        from aibeian.keywords import Library, Matcher

        self.matcher = Matcher.compile(Library.load(library), cache_dir=WARM_CACHE)
        self.batches, buf = [], []
        for p in paragraphs():
            buf.append(p)
            if sum(len(b) for b in buf) > 1 << 20:
                self.batches.append("\n".join(buf))
                buf = []
        self.size = sum(len(b.encode()) for b in self.batches)

    def speed(self) -> float:
        start = time.perf_counter()
        for b in self.batches:
            self.matcher.spans(b)
        return self.size / (time.perf_counter() - start) / 1e6


def timed_scan(
    corpus: Path, sources: Path, library: Path, *, engine: str, workers: int, rate: float
) -> float:
    """Wall time of a whole scan (planning, workers' start-up, every shard, the report), with the library
    already compiled in the run's cache as on a rerun: throughput, not the one-off compile."""
    from aibeian.corpus import assess

    with tempfile.TemporaryDirectory() as out:
        shutil.copytree(WARM_CACHE, Path(out) / ".cache")
        start = time.perf_counter()
        assess(
            [str(corpus)],
            sources=sources,
            keywords=library,
            out=out,
            engine=engine,
            workers=workers,
            sample_rate=rate,
        )
        return time.perf_counter() - start


_POOL_MATCHER = None


def _pool_init(library: str) -> None:
    global _POOL_MATCHER  # noqa: PLW0603 - one matcher per pool worker
    from aibeian.keywords import Library, Matcher

    _POOL_MATCHER = Matcher.compile(Library.load(library), cache_dir=WARM_CACHE)


def _pool_file(args: tuple[str, float]) -> int:
    """What a user would write by hand: parse each line, hash-sample it, match it on its own."""
    path, rate = args
    limit = int(rate * (1 << 64))
    flagged = 0
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            key = f"{Path(path).name}:{number}"
            if int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") < limit:
                flagged += bool(_POOL_MATCHER.find(json.loads(line)["text"]))  # type: ignore[attr-defined]
    return flagged


def pool_scan(corpus: Path, library: Path, workers: int, rate: float) -> float:
    files = sorted(str(p) for p in corpus.glob("*.jsonl"))
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(workers, _pool_init, (str(library),)) as pool:
        pool.map(_pool_file, [(f, rate) for f in files], chunksize=1)
    return time.perf_counter() - start


def peak_rss_mb(corpus: Path, sources: Path, library: Path, rate: float) -> float:
    """Peak RSS of a fresh process scanning in-process (1 worker), in MB."""
    code = (
        "import resource,sys,tempfile\nfrom aibeian.corpus import assess\n"
        "with tempfile.TemporaryDirectory() as out:\n"
        f"    assess([{str(corpus)!r}], sources={str(sources)!r}, keywords={str(library)!r}, out=out, workers=1,"
        f" sample_rate={rate})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def median_of(runs: int, fn: object) -> tuple[float, list[float]]:
    values = [fn() for _ in range(runs)]  # type: ignore[operator]
    return statistics.median(values), values


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--small-mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument(
        "--scale-mb",
        type=int,
        default=0,
        help="also build a corpus this big and time 1 and 2 local workers on it: the steady-state slope "
        "between --mb and --scale-mb, where worker start-up is amortised (0: skip)",
    )
    args = parser.parse_args()
    if not LAWS.is_dir() or not LEXICON.is_dir():
        print("needs ../shared/data/external (cn-laws-corpus, konsheng-sensitive-lexicon)", file=sys.stderr)
        return 2
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}; "
        f"load average at start {os.getloadavg()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        library = build_library(base / "lib10k.csv")
        big, small = base / "big", base / "small"
        size = build_corpus(big, args.mb)
        small_size = build_corpus(small, args.small_mb, seed=2)
        sources = base / "sources.yaml"
        sources.write_text('sources:\n  - id: laws\n    paths: ["*"]\n', encoding="utf-8")
        mb = size / 1e6
        print(
            f"corpus: {mb:.0f} MB JSONL in {len(list(big.glob('*.jsonl')))} files; library: 10,000 keywords"
        )
        from aibeian.keywords import ENGINE, Library, Matcher

        Matcher.compile(Library.load(library), cache_dir=WARM_CACHE)
        raw = RawMatcher(library)
        raws = [raw.speed() for _ in range(args.runs)]
        print(
            f"raw matcher (Matcher.spans, 1 MB batches, engine {ENGINE}): {statistics.median(raws):.1f} MB/s"
        )
        small_mb = small_size / 1e6
        rows = []
        # first, in fresh processes, before this one starts Ray (a child of a process that did read 419 MB)
        for rate in (0.1, 1.0):
            for corpus, nbytes in ((small, small_size), (big, size)):
                peak = peak_rss_mb(corpus, sources, library, rate)
                print(f"peak RSS, {nbytes / 1e6:.0f} MB corpus, 1 worker, rate {rate:g}: {peak:.0f} MB")

        def measure(name: str, workers: int, scan: object) -> None:
            """Per run: the raw matcher, then the scan of the small and of the big corpus. Whole-scan MB/s on
            the big corpus; steady-state MB/s as the slope between the two sizes (start-up, planning and the
            report cost the same at both, so the slope is what each further megabyte costs); each run's
            share of the raw matcher per worker against the raw speed timed beside it."""
            whole, slope, shares, times = [], [], [], []
            for _ in range(args.runs):
                r = raw.speed()
                t_small = scan(small)  # type: ignore[operator]
                t_big = scan(big)  # type: ignore[operator]
                whole.append(mb / t_big)
                slope.append((mb - small_mb) / (t_big - t_small) if t_big > t_small else float("nan"))
                shares.append((whole[-1] / workers / r, slope[-1] / workers / r))
                times.append(t_big)
            rows.append((name, whole, slope, shares, times))

        for rate in (0.1, 1.0):
            for workers in (1, 2):
                measure(
                    f"local, {workers} worker(s), rate {rate:g}",
                    workers,
                    lambda c, w=workers, r=rate: timed_scan(
                        c, sources, library, engine="local", workers=w, rate=r
                    ),
                )
            measure(
                f"multiprocessing.Pool baseline, 2 workers, rate {rate:g}",
                2,
                lambda c, r=rate: pool_scan(c, library, 2, r),
            )
            for workers in () if args.no_ray or rate != 0.1 else (1, 2):  # Ray at the default rate only
                measure(
                    f"ray, {workers} CPU(s), rate {rate:g}",
                    workers,
                    lambda c, w=workers, r=rate: timed_scan(
                        c, sources, library, engine="ray", workers=w, rate=r
                    ),
                )
        print(f"{'':52} {'whole scan':>24}   {'steady state (slope)':>24}")
        med = statistics.median
        for name, whole, slope, shares, times in rows:
            print(
                f"{name:52} {med(whole):7.1f} MB/s {med(s[0] for s in shares):5.0%}/worker"
                f"   {med(slope):7.1f} MB/s {med(s[1] for s in shares):5.0%}/worker"
                f"  (big runs: {', '.join(f'{x:.2f}s' for x in times)})"
            )
        if args.scale_mb:
            huge = base / "huge"
            huge_mb = build_corpus(huge, args.scale_mb, seed=3) / 1e6
            print(
                f"scaling: {huge_mb:.0f} MB against {mb:.0f} MB, rate 0.1, slope per run (raw matcher beside it)"
            )
            for workers in (1, 2):
                slopes, shares = [], []
                for _ in range(args.runs):
                    r = raw.speed()
                    t_big = timed_scan(big, sources, library, engine="local", workers=workers, rate=0.1)
                    t_huge = timed_scan(huge, sources, library, engine="local", workers=workers, rate=0.1)
                    slopes.append((huge_mb - mb) / (t_huge - t_big))
                    shares.append(slopes[-1] / workers / r)
                print(
                    f"  local, {workers} worker(s): {statistics.median(slopes):7.1f} MB/s steady state, "
                    f"{statistics.median(shares):4.0%} of raw per worker  "
                    f"(runs: {', '.join(f'{x:.0f}' for x in slopes)} MB/s)"
                )
            one = base / "one"
            one.mkdir()
            with open(one / "all.jsonl", "wb") as out:  # the same corpus as one big file
                for part in sorted(huge.glob("*.jsonl")):
                    with open(part, "rb") as fh:
                        shutil.copyfileobj(fh, out, 16 << 20)
            shutil.rmtree(huge)
            print(
                f"one {huge_mb:.0f} MB file (cut into ~64 MB parts), rate 0.1, whole scan incl. the plan's line count"
            )
            times_by_workers = {}
            for workers in (1, 2):
                times_by_workers[workers] = [
                    timed_scan(one, sources, library, engine="local", workers=workers, rate=0.1)
                    for _ in range(args.runs)
                ]
                print(
                    f"  local, {workers} worker(s): {huge_mb / statistics.median(times_by_workers[workers]):7.1f} MB/s"
                    f"  (runs: {', '.join(f'{x:.2f}s' for x in times_by_workers[workers])})"
                )
            gain = statistics.median(times_by_workers[1]) / statistics.median(times_by_workers[2])
            print(f"  two workers on one file: {gain:.2f}x one worker")
            shutil.rmtree(one)
        if not args.no_ray:
            tiny = base / "tiny"
            build_corpus(tiny, 1)
            local_t, _ = median_of(
                args.runs, lambda: timed_scan(tiny, sources, library, engine="local", workers=1, rate=0.1)
            )
            ray_t, _ = median_of(
                args.runs, lambda: timed_scan(tiny, sources, library, engine="ray", workers=2, rate=0.1)
            )
            print(f"ray start-up overhead (1 MB corpus, ray minus local): {ray_t - local_t:.1f} s")
        print(f"load average at end {os.getloadavg()}")
    shutil.rmtree(WARM_CACHE, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
