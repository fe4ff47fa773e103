"""Evaluation harness overhead: aibeian's runner against inspect-ai on the same workload, in the same run.

Workload (issue 5): N prompts against the loopback OpenAI-compatible test server with a fixed 200 ms latency,
at concurrency 32. Ideal wall time is N x latency / concurrency; overhead is how far above it each tool lands.
Peak memory (max RSS of a fresh process) is measured at N and at 5 N to show whether it grows with N.
Each measurement runs in its own process so one tool's imports and allocations do not leak into the other's.

    python bench/eval_overhead.py [--runs 5] [--n 2000] [--big 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LATENCY = 0.2
CONCURRENCY = 32


def _bank(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            item = {
                "id": f"b{i}",
                "prompt": f"请介绍第{i}个历史话题",
                "kind": "should_not_refuse",
                "aspect": "N.8",
            }
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def child_ours(url: str, n: int) -> dict[str, float]:
    from aibeian.evaluation import ClientConfig, RunConfig, run

    with tempfile.TemporaryDirectory() as tmp:
        bank = Path(tmp) / "bank.jsonl"
        _bank(bank, n)
        target = ClientConfig(base_url=url, model="m", concurrency=CONCURRENCY, timeout=30)
        started = time.perf_counter()
        summary = run(RunConfig(banks=[bank], out=Path(tmp) / "run", target=target))
        wall = time.perf_counter() - started
        assert summary.results["counts"]["total"] == n
    return {"wall": wall, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_inspect(url: str, n: int) -> dict[str, float]:
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import includes
    from inspect_ai.solver import generate

    os.environ["LOCAL_BASE_URL"] = url
    os.environ["LOCAL_API_KEY"] = "none"
    samples = [Sample(input=f"请介绍第{i}个历史话题", target="历史", id=f"b{i}") for i in range(n)]
    task = Task(dataset=samples, solver=generate(), scorer=includes())
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        logs = eval(
            task,
            model="openai-api/local/m",
            max_connections=CONCURRENCY,
            log_dir=tmp,
            display="none",
            max_retries=5,
            timeout=30,
            log_samples=True,
        )
        wall = time.perf_counter() - started
        assert logs[0].status == "success", logs[0].status
    return {"wall": wall, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(tool: str, url: str, n: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", tool, "--url", url, "--n", str(n)],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--big", type=int, default=10000)
    parser.add_argument("--child", choices=["ours", "inspect"])
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        fn = child_ours if args.child == "ours" else child_inspect
        print(json.dumps(fn(args.url, args.n)))
        return 0

    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "evaluation" / "fake_openai.py"), "--latency", str(LATENCY)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        ideal = args.n * LATENCY / CONCURRENCY
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores, python {platform.python_version()}, "
            f"load {os.getloadavg()[0]:.2f}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        )
        print(
            f"workload: {args.n} prompts, latency {LATENCY * 1000:.0f} ms, concurrency {CONCURRENCY}; "
            f"ideal {ideal:.2f} s; median of {args.runs} runs"
        )
        tools = ["ours"]
        try:
            import inspect_ai  # noqa: F401

            tools.append("inspect")
        except ImportError:
            print("inspect-ai is not installed (pip install 'aibeian[bench]'): peer skipped")
        results: dict[str, list[dict[str, float]]] = {t: [] for t in tools}
        for _ in range(args.runs):
            for tool in tools:  # interleaved, so load changes hit both tools alike
                results[tool].append(measure(tool, url, args.n))
        for tool in tools:
            walls = [r["wall"] for r in results[tool]]
            med = statistics.median(walls)
            rss = statistics.median(r["maxrss_mb"] for r in results[tool])
            print(
                f"{tool:8s} wall median {med:6.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); "
                f"overhead {100 * (med / ideal - 1):+5.1f} % over ideal; peak RSS {rss:.0f} MB"
            )
        if args.big:
            for tool in tools:
                big = measure(tool, url, args.big)
                print(
                    f"{tool:8s} {args.big} items: wall {big['wall']:.2f} s (ideal {args.big * LATENCY / CONCURRENCY:.2f}); "
                    f"peak RSS {big['maxrss_mb']:.0f} MB (vs {results[tool][0]['maxrss_mb']:.0f} MB at {args.n})"
                )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
