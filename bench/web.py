"""Workbench under load: 50 concurrent clients on the dashboard and the item browser of a 10,000-item run, for
60 s on loopback, against `aibeian serve` on SQLite and on PostgreSQL; the peer is datasette serving the same
SQLite file (filings table and the items table, paged the same way). Prints p50/p95 latency, requests/s and
errors per server (the figures docs/benchmarks.md records under "Workbench").

    python bench/web.py [--seconds 60] [--clients 50] [--pg postgresql://postgres@127.0.0.1:5432/test]

datasette is not a dependency of aibeian: put a `datasette` executable on PATH (or AIBEIAN_BENCH_DATASETTE) —
e.g. `python -m venv /tmp/ds && /tmp/ds/bin/pip install datasette` — otherwise the peer is reported as skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

RUN = "demo-sample-run"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], log: Path | None = None, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log else ""
            raise SystemExit(f"server at {url} exited with {proc.returncode}:\n{tail}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"server at {url} did not come up")


def start_aibeian(home: Path, db_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "AIBEIAN_HOME": str(home), "AIBEIAN_LOGIN_MAX_ATTEMPTS": "1000"}
    aibeian = Path(sys.executable).with_name("aibeian")
    proc = subprocess.Popen(
        [str(aibeian), "serve", "--demo", "--port", str(port), "--db", db_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_up(f"{base}/login", proc)
    return proc, base


def login(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"username": "demo", "password": "demo-password", "csrf_token": token})
        assert r.status_code == 303, r.status_code
        return dict(c.cookies)


async def load(
    base: str, paths: list[str], seconds: float, clients: int, cookies: dict[str, str]
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, limits=limits, timeout=30) as client:

        async def worker(seed: int) -> None:
            nonlocal errors
            rng = random.Random(seed)
            while time.monotonic() < end:
                path = rng.choice(paths).format(page=rng.randint(1, 200), after=rng.randint(0, 9950))
                t = time.perf_counter()
                try:
                    r = await client.get(path)
                    kind = "" if r.status_code == 200 else f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                latencies.append(time.perf_counter() - t)
                if kind:
                    errors += 1
                    kinds[kind] = kinds.get(kind, 0) + 1

        await asyncio.gather(*(worker(i) for i in range(clients)))
    if kinds:
        print(f"{base}: errors {kinds}", file=sys.stderr)
    q = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "errors": errors,
    }


def datasette_db(sqlite_file: Path, run_dir: Path, out: Path) -> Path:
    with sqlite3.connect(sqlite_file) as src, sqlite3.connect(out) as dst:
        src.backup(dst)  # the WAL's pages too, which a file copy would miss
    with sqlite3.connect(out) as conn:
        conn.execute(
            "CREATE TABLE items (id TEXT, kind TEXT, risk TEXT, outcome TEXT, prompt TEXT, record TEXT)"
        )
        with (run_dir / "items.jsonl").open(encoding="utf-8") as f:
            rows = [
                (r["id"], r["kind"], r["risk"], r["outcome"], r["prompt"], json.dumps(r, ensure_ascii=False))
                for r in map(json.loads, f)
            ]
        conn.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)", rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--pg", default=os.environ.get("AIBEIAN_TEST_PG_URL"))
    args = ap.parse_args()
    ours = ["/", "/evaluations/" + RUN + "?page={page}"]
    results: dict[str, dict[str, float] | str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        sqlite_file = home / "bench.sqlite3"
        backends = [("aibeian · SQLite", f"sqlite:///{sqlite_file}")]
        pg_db = None
        if args.pg:
            pg_db = f"aibeian_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{pg_db}"')
            backends.append(("aibeian · PostgreSQL", args.pg.rsplit("/", 1)[0] + "/" + pg_db))
        try:
            for name, url in backends:
                proc, base = start_aibeian(home, url)
                try:
                    results[name] = asyncio.run(load(base, ours, args.seconds, args.clients, login(base)))
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
        finally:
            if pg_db:
                with psycopg.connect(args.pg, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
        datasette = os.environ.get("AIBEIAN_BENCH_DATASETTE") or shutil.which("datasette")
        if datasette:
            db = datasette_db(sqlite_file, home / "runs" / RUN, home / "peer.db")
            port = free_port()
            proc = subprocess.Popen(
                [datasette, "serve", "-i", str(db), "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                wait_up(f"{base}/peer", proc)
                peer = ["/peer/filings", "/peer/items?_size=50&_sort=rowid&rowid__gt={after}"]
                results["datasette (peer)"] = asyncio.run(load(base, peer, args.seconds, args.clients, {}))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
        else:
            results["datasette (peer)"] = "skipped: no datasette executable (see the docstring)"
    print(f"{args.clients} clients, {args.seconds:.0f} s each, loopback")
    print("| server | requests | req/s | p50 ms | p95 ms | errors |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results.items():
        if isinstance(r, str):
            print(f"| {name} | {r} | | | | |")
        else:
            print(
                f"| {name} | {r['requests']:.0f} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | "
                f"{r['errors']:.0f} |"
            )
    return 1 if any(not isinstance(r, str) and r["errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
