"""Complaint intake reliability: 200 concurrent anonymous clients submitting complaints for 60 s on loopback
(``POST /api/complaints`` with an ``Idempotency-Key``), against the workbench on SQLite and on PostgreSQL,
then the same while the server is killed (SIGKILL) and restarted mid-run.

Every client retries a request until it is acknowledged (connection errors, 5xx, a killed server), always
with the same key, and re-sends 10 % of acknowledged requests once more as if the response had been lost.
At the end the database is read directly: every acknowledged tracking number must be there (none lost),
each key must have exactly one row and each client submission exactly one row (none duplicated), and the
row count must equal the number of distinct acknowledged submissions. Prints p50/p95/p99 latency of
acknowledged requests, throughput, retries and the restart gap.

Peer in the same run: a minimal FastAPI endpoint that inserts one row with a unique key through the same
SQLAlchemy engine (no validation, no audit, no attachments) — the floor of what one uvicorn worker does.

    python bench/complaints.py [--seconds 60] [--clients 200] [--runs 1] [--pg postgresql://…/test]

The server is this script itself (``--serve``): it opens and migrates the database as ``aibeian serve`` does
and raises the per-address flood limit, since every client shares 127.0.0.1 here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import create_engine, text

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ----------------------------------------------------------------------------------------------- servers
def serve(db_url: str, port: int, mode: str) -> None:
    import uvicorn
    from pydantic import SecretStr

    if mode == "floor":
        uvicorn.run(floor_app(db_url), host="127.0.0.1", port=port, log_level="warning")
        return
    from aibeian.complaints import load_policy
    from aibeian.settings import Settings
    from aibeian.storage import open_store
    from aibeian.web import create_app

    home = Path(tempfile.mkdtemp(prefix="bench-complaints-"))
    store = open_store(db_url, migrate=True)
    app = create_app(Settings(home=home, db_url=db_url, secret_key=SecretStr("bench")), store=store)
    app.state.complaint_policy = load_policy().with_rate_limit(10**9)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def floor_app(db_url: str) -> Any:
    """The peer: one INSERT per request, the same idempotency rule (unique key), nothing else."""
    from fastapi import FastAPI, Header
    from fastapi.responses import JSONResponse
    from sqlalchemy.exc import IntegrityError

    from aibeian.storage import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS floor (key VARCHAR(128) PRIMARY KEY, body TEXT)"))
    app = FastAPI()

    @app.post("/api/complaints")
    def submit(body: dict[str, Any], idempotency_key: str = Header()) -> Any:
        try:
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO floor (key, body) VALUES (:k, :b)"),
                    {"k": idempotency_key, "b": body["description"]},
                )
            return JSONResponse({"tracking": idempotency_key}, status_code=201)
        except IntegrityError:
            return JSONResponse({"tracking": idempotency_key}, status_code=200)

    @app.get("/ping")
    def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


class Server:
    def __init__(self, db_url: str, mode: str, log: Path) -> None:
        self.db_url, self.mode, self.log = db_url, mode, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        t = time.monotonic()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, __file__, "--serve", self.db_url, str(self.port), self.mode],
                stdout=out,
                stderr=out,
            )
        probe = "/ping" if self.mode == "floor" else "/complaint"
        while time.monotonic() - t < 120:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.base + probe, timeout=2).status_code < 500:
                    return time.monotonic() - t
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("server did not come up")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:  # graceful shutdown stuck on open connections
                self.kill()


# ----------------------------------------------------------------------------------------------- clients
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acked: dict[str, str] = field(default_factory=dict)  # key → tracking
    attempts: int = 0
    retries: int = 0
    replays: int = 0
    replay_mismatch: int = 0  # a replay answered with another tracking number: a duplicate
    gave_up: int = 0  # requests still unanswered at the client's deadline (stored or not, checked later)
    refused: dict[str, int] = field(default_factory=dict)
    unacked: list[str] = field(default_factory=list)


async def load(base: str, seconds: float, clients: int, tally: Tally) -> None:
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def send(body: dict[str, Any], key: str, *, deadline: float) -> str | None:
            """Until acknowledged (or past the deadline): the same key on every try."""
            delay = 0.05
            while time.monotonic() < deadline:
                tally.attempts += 1
                t = time.perf_counter()
                try:
                    r = await client.post("/api/complaints", json=body, headers={"Idempotency-Key": key})
                    if r.status_code in (200, 201):
                        tally.latencies.append(time.perf_counter() - t)
                        return str(r.json()["tracking"])
                    kind = f"HTTP {r.status_code}"
                    if r.status_code < 500:  # a refusal is final: it must never happen here
                        tally.refused[kind] = tally.refused.get(kind, 0) + 1
                        return None
                except httpx.HTTPError as exc:
                    kind = type(exc).__name__
                tally.retries += 1
                tally.refused[kind] = tally.refused.get(kind, 0) + 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)
            return None

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            while time.monotonic() < end:
                key = str(uuid.uuid4())
                body = {
                    "category": rng.choice(["harmful_content", "illegal_content", "service_quality"]),
                    "description": f"bench {key}: 生成内容存在问题，请核实处理。",
                    "contact": "bench@example.com",
                    "attachments": [{"filename": "a.png", "content_type": "image/png", "data_base64": PNG}]
                    if rng.random() < 0.2
                    else [],
                }
                tracking = await send(body, key, deadline=end + 60)
                if tracking is None:
                    tally.unacked.append(key)
                    tally.gave_up += 1
                    continue
                tally.acked[key] = tracking
                if rng.random() < 0.1:  # the response was "lost": the client sends the same request again
                    tally.replays += 1
                    again = await send(body, key, deadline=end + 60)
                    if again is None:
                        tally.gave_up += 1
                    elif again != tracking:
                        tally.replay_mismatch += 1

        await asyncio.gather(*(worker(i) for i in range(clients)))


# ----------------------------------------------------------------------------------------------- checks
def verify(db_url: str, mode: str, tally: Tally) -> dict[str, int]:
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        if mode == "floor":
            rows = conn.execute(text("SELECT key, key, body FROM floor")).all()
        else:
            rows = conn.execute(text("SELECT idempotency_key, tracking, description FROM complaints")).all()
    engine.dispose()
    by_key: dict[str, list[str]] = {}
    by_text: dict[str, int] = {}
    for key, tracking, body in rows:
        by_key.setdefault(key, []).append(tracking)
        marker = body.split(":", 1)[0]
        by_text[marker] = by_text.get(marker, 0) + 1
    lost = sum(1 for k, t in tally.acked.items() if t not in by_key.get(k, []))
    dup = sum(len(v) - 1 for v in by_key.values()) + sum(n - 1 for n in by_text.values())
    unacked_stored = sum(1 for k in tally.unacked if k in by_key)
    return {
        "rows": len(rows),
        "acked": len(tally.acked),
        "lost": lost,
        "duplicated": dup,
        "unacked_stored": unacked_stored,
    }


@dataclass
class Result:
    name: str
    figures: dict[str, float]
    checks: dict[str, int]


def run_one(
    name: str, db_url: str, mode: str, seconds: float, clients: int, restart: bool, log: Path
) -> Result:
    server = Server(db_url, mode, log)
    server.start()
    tally = Tally()
    gap = 0.0
    try:

        async def scenario() -> None:
            nonlocal gap
            task = asyncio.create_task(load(server.base, seconds, clients, tally))
            if restart:
                await asyncio.sleep(seconds / 2)
                server.kill()
                gap = await asyncio.to_thread(server.start)
            await task

        t0 = time.monotonic()
        asyncio.run(scenario())
        wall = time.monotonic() - t0
    finally:
        server.stop()
    checks = verify(db_url, mode, tally)
    q = statistics.quantiles(tally.latencies, n=100) if len(tally.latencies) > 1 else [0.0] * 99
    figures = {
        "acked": len(tally.acked),
        "per_s": len(tally.acked) / wall,
        "p50_ms": q[49] * 1000,
        "p95_ms": q[94] * 1000,
        "p99_ms": q[98] * 1000,
        "retries": tally.retries,
        "replays": tally.replays,
        "replay_mismatch": tally.replay_mismatch,
        "gave_up": tally.gave_up,
        "restart_gap_s": gap,
    }
    if tally.refused:
        print(f"{name}: not acknowledged at once: {tally.refused}", file=sys.stderr)
    return Result(name, figures, checks)


def pg_database(admin_url: str) -> tuple[str, str]:
    name = f"aibeian_bench_c_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, admin_url.rsplit("/", 1)[0] + "/" + name


def drop_pg(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--runs", type=int, default=1, help="repeat each scenario; the table shows medians")
    ap.add_argument("--pg", default=os.environ.get("AIBEIAN_TEST_PG_URL"))
    ap.add_argument("--only", choices=["sqlite", "postgresql"], help="one back end only")
    ap.add_argument(
        "--scenarios", default="plain,restart,floor", help="comma list of plain, restart, floor (the peer)"
    )
    args = ap.parse_args()
    scenarios: list[tuple[str, str, str, bool]] = []  # name, backend, mode, restart
    backends = [b for b in ("sqlite", "postgresql") if args.only in (None, b) and (b == "sqlite" or args.pg)]
    for backend in backends:
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        wanted = set(args.scenarios.split(","))
        if "plain" in wanted:
            scenarios.append((f"aibeian · {label}", backend, "aibeian", False))
        if "restart" in wanted:
            scenarios.append((f"aibeian · {label} · killed and restarted mid-run", backend, "aibeian", True))
        if "floor" in wanted:
            scenarios.append((f"floor peer · {label}", backend, "floor", False))
    results: dict[str, list[Result]] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            for name, backend, mode, restart in scenarios:
                pg_name = None
                if backend == "sqlite":
                    url = f"sqlite:///{Path(tmp) / f'{uuid.uuid4().hex}.sqlite3'}"
                else:
                    pg_name, url = pg_database(args.pg)
                try:
                    r = run_one(
                        name, url, mode, args.seconds, args.clients, restart, Path(tmp) / "server.log"
                    )
                finally:
                    if pg_name:
                        drop_pg(args.pg, pg_name)
                print(f"run {i + 1} {name}: {r.figures} {r.checks}", file=sys.stderr, flush=True)
                failed |= bool(r.checks["lost"] or r.checks["duplicated"] or r.figures["replay_mismatch"])
                failed |= r.checks["rows"] != r.checks["acked"] + r.checks["unacked_stored"]
                results.setdefault(name, []).append(r)
    print(f"{args.clients} concurrent anonymous clients, {args.seconds:.0f} s per scenario, loopback; "
          f"median of {args.runs} run(s)")  # fmt: skip
    print(
        "| scenario | acknowledged | per s | p50 ms | p95 ms | p99 ms | retries | gave up | lost | duplicated "
        "| restart gap s |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, rs in results.items():

        def med(key: str, rs: list[Result] = rs) -> float:
            return statistics.median(r.figures[key] for r in rs)

        lost = sum(r.checks["lost"] for r in rs)
        dup = sum(r.checks["duplicated"] for r in rs)
        gap = f"{med('restart_gap_s'):.1f}" if "restarted" in name else "—"
        print(
            f"| {name} | {med('acked'):.0f} | {med('per_s'):.1f} | {med('p50_ms'):.0f} | {med('p95_ms'):.0f} | "
            f"{med('p99_ms'):.0f} | {med('retries'):.0f} | {med('gave_up'):.0f} | {lost} | {dup} | {gap} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())
