"""Benchmark: the konsheng lexicon (≈51k terms) over ≥10 MB of Chinese legal text, clean and with evasive
occurrences injected, against pyahocorasick, ahocorasick-rs, daachorse, flashtext and a plain hyperscan
literal database in the same run. MB/s is the median of --runs runs, taken round robin (every engine once per
round) so that the shared machine's changing load falls on all engines alike; the ratio to pyahocorasick is
also given in CPU time, which preemption by other processes does not inflate. Compile time, memory (RSS
growth of a fresh process), and recall on the injected occurrences are reported for every engine. Our matcher runs as
`find()` and `spans()` on the engine installed (the C extension when built) and as `find()` on the
pure-Python fallback engine.

    .venv/bin/python bench/matcher.py            # --runs 5 --mb 10 --inject 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _matcher_data import corpus_text, inject, recall, terms

from aibeian.keywords import ENGINE, Keyword, Library, Matcher
from aibeian.keywords._normalise import normalise_many

Scan = Callable[[str], Any]
Spans = Callable[[Any], list[tuple[int, int]]]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def library(words: list[str]) -> Library:
    """The lexicon as a library, without the terms that normalise to nothing (one vectorised pass)."""
    literals, _ = normalise_many(words)
    return Library(tuple(Keyword(w, "A.1.8") for w, lit in zip(words, literals, strict=True) if lit))


_COMPILED: dict[tuple[str | None, str | None], Matcher] = {}


def build(engine: str, words: list[str], cache: str | None = None) -> tuple[Scan, Spans]:
    """Compile ``engine`` over ``words``. The scan function (timed) returns the engine's own result, as a
    user would get it; the second function (not timed) turns that into code-point spans for recall."""
    if engine == "pyahocorasick":
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for w in words:
            automaton.add_word(w, len(w))
        automaton.make_automaton()
        return (lambda text: list(automaton.iter(text))), (lambda r: [(e - n + 1, e + 1) for e, n in r])
    if engine == "ahocorasick-rs":
        import ahocorasick_rs

        ac = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MATCHKIND_LEFTMOST_LONGEST)
        return (ac.find_matches_as_indexes), (lambda r: [(s, e) for _, s, e in r])
    if engine == "daachorse":
        import daachorse

        da = daachorse.CharwiseDoubleArrayAhoCorasick(words, daachorse.MATCH_KIND_LEFTMOST_LONGEST)
        return (da.find), (lambda r: [(s, e) for s, e, _ in r])
    if engine == "flashtext":
        from flashtext import KeywordProcessor

        kp = KeywordProcessor(case_sensitive=True)
        for w in words:
            kp.add_keyword(w)
        return (lambda text: kp.extract_keywords(text, span_info=True)), (lambda r: [(s, e) for _, s, e in r])
    if engine == "hyperscan":
        import hyperscan

        encoded = [w.encode() for w in words]
        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        db.compile(
            expressions=encoded,
            ids=list(range(len(encoded))),
            elements=len(encoded),
            flags=[0] * len(encoded),
            literal=True,
        )
        lengths = [len(e) for e in encoded]

        def scan(text: str) -> tuple[str, list[tuple[int, int]]]:
            found: list[tuple[int, int]] = []  # (pattern, end byte): hyperscan knows bytes, not code points

            def on_match(pid: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
                found.append((pid, end))

            db.scan(text.encode(), match_event_handler=on_match)
            return text, found

        return scan, lambda r: _bytes_to_chars(r[0], [(end - lengths[pid], end) for pid, end in r[1]])
    if engine in ("aibeian", "aibeian-spans", "aibeian-fallback"):
        fallback = "daachorse" if engine == "aibeian-fallback" else None
        key = (fallback, cache)
        if key not in _COMPILED:  # find() and spans() share one compiled matcher
            _COMPILED[key] = Matcher.compile(library(words), cache_dir=cache, engine=fallback)
        matcher = _COMPILED[key]
        if engine == "aibeian-spans":
            return matcher.spans, lambda r: list(zip(r.start.tolist(), r.end.tolist(), strict=True))
        return matcher.find, lambda r: [(m.start, m.end) for m in r]
    raise SystemExit(f"unknown engine {engine}")


ENGINES = (
    "pyahocorasick",
    "ahocorasick-rs",
    "daachorse",
    "flashtext",
    "hyperscan",
    "aibeian",
    "aibeian-fallback",
)


def measure(
    scans: dict[str, Scan], texts: dict[str, str], runs: int
) -> dict[tuple[str, str], tuple[float, float]]:
    """Median (wall, CPU) seconds per (engine, text). Round robin: each round times every engine once on
    each text, so a change in the machine's load during the benchmark falls on all engines alike (the
    machine is shared). Each run's result is freed before the next timer starts, for every engine."""
    first = next(iter(texts.values()))
    for scan in scans.values():
        scan(first[:1000])  # warm any lazy state outside the timed runs, for every engine alike
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    found: Any = None
    for _ in range(runs):
        for label, text in texts.items():
            for engine, scan in scans.items():
                found = None
                w, c = time.perf_counter(), time.process_time()
                found = scan(text)
                wall.setdefault((engine, label), []).append(time.perf_counter() - w)
                cpu.setdefault((engine, label), []).append(time.process_time() - c)
    del found
    return {key: (statistics.median(wall[key]), statistics.median(cpu[key])) for key in wall}


def child(args: argparse.Namespace) -> None:
    """In a fresh process: compile one engine and report compile seconds and RSS growth."""
    words = terms()
    before = rss_mb()
    start = time.perf_counter()
    scan, _ = build(args.child, words, cache=args.cache)
    scan("预热")  # the normalisation table and any lazy state
    print(json.dumps({"seconds": time.perf_counter() - start, "rss_mb": rss_mb() - before}))


def in_child(engine: str, cache: str | None = None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", engine] + (["--cache", cache] if cache else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mb", type=float, default=10.0, help="MB of text to scan (the corpus, repeated)")
    parser.add_argument("--inject", type=int, default=2000, help="evasive occurrences injected")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    words = terms()
    text = corpus_text(int(args.mb * 1e6))
    evasive = inject(text, words, args.inject)
    mb_clean, mb_evasive = len(text.encode()) / 1e6, len(evasive.text.encode()) / 1e6
    print(
        f"{len(words)} terms; clean text {mb_clean:.2f} MB; evasive text {mb_evasive:.2f} MB with "
        f"{len(evasive.spans)} injected occurrences; {args.runs} runs; load {os.getloadavg()[0]:.2f}; "
        f"aibeian engine {ENGINE}",
        flush=True,
    )
    engines = args.engines.split(",")
    if "aibeian" in engines:
        engines.insert(engines.index("aibeian") + 1, "aibeian-spans")
    cold = {e: in_child(e) for e in engines if e != "aibeian-spans"}
    built = {e: build(e, words) for e in engines}
    load_before = os.getloadavg()[0]
    times = measure(
        {e: scan for e, (scan, _) in built.items()}, {"clean": text, "evasive": evasive.text}, args.runs
    )
    load_after = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    for engine, (scan, to_spans) in built.items():
        covered, touched = recall(evasive.spans, to_spans(scan(evasive.text)))
        (clean_s, clean_cpu), (ev_s, ev_cpu) = times[engine, "clean"], times[engine, "evasive"]
        row = {
            "engine": engine,
            "clean_mb_s": mb_clean / clean_s,
            "evasive_mb_s": mb_evasive / ev_s,
            "clean_mb_s_cpu": mb_clean / clean_cpu,
            "evasive_mb_s_cpu": mb_evasive / ev_cpu,
            "matches_clean": len(to_spans(scan(text))),
            "compile_s": cold.get(engine, {}).get("seconds"),
            "rss_mb": cold.get(engine, {}).get("rss_mb"),
            "recall_covered": covered,
            "recall_touched": touched,
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    with tempfile.TemporaryDirectory() as cache:
        in_child("aibeian", cache)  # fills the cache
        warm = in_child("aibeian", cache)
    base = next((r for r in rows if r["engine"] == "pyahocorasick"), None)
    print()
    print(
        f"machine: {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load (1-min average) {load_before:.2f} before the timed "
        f"rounds, {load_after:.2f} after"
    )
    print(
        "| engine | clean MB/s | evasive MB/s | × pyahocorasick (clean) | × pyahocorasick (clean, CPU time) "
        "| compile s | RSS MB | recall (covered / touched) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = r["clean_mb_s"] / base["clean_mb_s"] if base else float("nan")
        ratio_cpu = r["clean_mb_s_cpu"] / base["clean_mb_s_cpu"] if base else float("nan")
        compile_s = f"{r['compile_s']:.2f}" if r["compile_s"] is not None else "—"
        rss = f"{r['rss_mb']:.0f}" if r["rss_mb"] is not None else "—"
        print(
            f"| {r['engine']} | {r['clean_mb_s']:.1f} | {r['evasive_mb_s']:.1f} | {ratio:.1f}× | {ratio_cpu:.1f}× | "
            f"{compile_s} | {rss} | {r['recall_covered']:.1%} / {r['recall_touched']:.1%} |"
        )
    print(
        f"\naibeian warm start from the compiled cache (fresh process, incl. first scan): {warm['seconds']:.2f} s"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {"rows": rows, "warm_start_s": warm["seconds"], "load": [load_before, load_after]}, indent=2
            )
        )


def _bytes_to_chars(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    import numpy as np

    widths = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    nbytes = np.where(widths < 0x80, 1, np.where(widths < 0x800, 2, np.where(widths < 0x10000, 3, 4)))
    char_at = np.repeat(np.arange(len(text)), nbytes)
    char_at = np.append(char_at, len(text))
    return [(int(char_at[s]), int(char_at[e - 1]) + 1) for s, e in spans]


if __name__ == "__main__":
    main()
