"""``aibeian worker``: background workers for long jobs, standalone (a team deployment runs them beside the
web processes, on any machine that reaches the database and the shared run folders)."""

from __future__ import annotations

import logging
import signal
import threading

import click

from aibeian.settings import Settings
from aibeian.storage import open_store


@click.command("worker")
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Database: sqlite:///path/file.sqlite3 or postgresql://user@host:5432/db "
    "(default: AIBEIAN_DB_URL, else a SQLite file under AIBEIAN_HOME).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Jobs run at the same time by this process (one worker thread and child process each).",
)
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(0.05, 60),
    default=1.0,
    show_default=True,
    help="Seconds between looks at an empty queue.",
)
@click.option(
    "--stale-after",
    "stale_seconds",
    type=click.FloatRange(5, 86400),
    default=60.0,
    show_default=True,
    help="A running job whose worker sent no heartbeat for this many seconds is taken to be abandoned.",
)
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit when the queue is empty.")
def worker(
    db_url: str | None, concurrency: int, poll_seconds: float, stale_seconds: float, once: bool
) -> None:
    """Run queued jobs (评测、语料扫描、备案材料生成) from the workbench's database.

    Each job runs in its own child process; a job that fails or crashes is marked failed with its message
    and the worker goes on. Jobs left running by a worker that stopped are queued again on start.
    Stop with Ctrl-C or SIGTERM: a running job is ended and queued again.
    """
    from aibeian.jobs import Worker, WorkerOptions

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings()
    store = open_store(db_url or settings.database_url())
    options = WorkerOptions(poll_seconds=poll_seconds, stale_seconds=stale_seconds)
    workers = [Worker(store, options) for _ in range(concurrency)]
    click.echo(f"aibeian worker: {concurrency} × {workers[0].name.rsplit(':', 1)[0]} on {store.url}")
    if once:
        workers[0].recover()
        ran = 0
        while workers[0].run_once() is not None:
            ran += 1
        click.echo(f"ran {ran} job(s); the queue is empty")
        store.dispose()
        return
    stopping = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    for w in workers:
        w.start()
    stopping.wait()
    click.echo("stopping: running jobs are queued again")
    for w in workers:
        w.stop()
    store.dispose()
