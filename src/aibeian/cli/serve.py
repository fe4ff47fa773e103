"""``aibeian serve``: migrate the database, then run the workbench with uvicorn on a real HTTP port."""

from __future__ import annotations

import click

from aibeian.cli._output import apply_holiday_file
from aibeian.settings import Settings
from aibeian.storage import DEMO_PASSWORD, DEMO_USER, count_users, load_demo, open_store

DEMO_RUN = "demo-sample-run"


def _demo_bank(settings: Settings) -> None:
    """Offer the packaged example bank on the evaluation start form, so the demo can start a job at once."""
    import shutil

    from aibeian.banks import example_bank_path

    banks = settings.banks_root()
    if not banks.is_dir() or not any(banks.glob("*.jsonl")):
        banks.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(example_bank_path(), banks / example_bank_path().name)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--db",
    "db_url",
    default=None,
    metavar="URL",
    help="Database: sqlite:///path/file.sqlite3 or postgresql://user@host:5432/db "
    "(default: AIBEIAN_DB_URL, else a SQLite file under AIBEIAN_HOME).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Load a demo project, a demo admin account, a sample 10,000-item evaluation run, a keyword library "
    "with releases and a corpus run to review (first start only).",
)
@click.option(
    "--worker/--no-worker",
    "run_worker",
    default=True,
    show_default=True,
    help="Run long jobs (evaluations, corpus scans, dossier builds) in a background worker inside this "
    "process; use --no-worker when separate `aibeian worker` processes serve the database.",
)
def serve(host: str, port: int, db_url: str | None, demo: bool, run_worker: bool) -> None:
    """Start the web workbench (工作台). The first start creates or migrates the database.

    Sign in with an account made by `aibeian users create NAME --role admin`.
    """
    import uvicorn

    from aibeian.web import create_app

    settings = Settings()
    if db_url:
        settings = settings.model_copy(update={"db_url": db_url})
    apply_holiday_file(settings)
    store = open_store(settings.database_url(), migrate=True)
    with store.session() as session:
        if demo:
            load_demo(session)
        users = count_users(session)
    if demo:
        runs = settings.evaluation_runs_dir()
        if not (runs / DEMO_RUN).exists():
            from aibeian.web._sample_run import write_sample_run

            write_sample_run(runs / DEMO_RUN, items=10_000)
        _demo_bank(settings)
        from aibeian.web._demo_files import write_demo_files

        write_demo_files(settings)  # keyword library with releases, a corpus run with its review sample
    app = create_app(settings, store=store)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    click.echo(f"aibeian workbench: http://{shown}:{port}/  (database: {store.url})")
    if demo:
        click.echo(f"demo login / 演示账号: {DEMO_USER} / {DEMO_PASSWORD}")
    if users == 0:
        click.echo(
            "no accounts yet; create the first admin with / 创建第一个管理员:\n"
            f"  aibeian users create NAME --role admin --db {store.url}"
        )
    job_worker = None
    if run_worker:
        from aibeian.jobs import Worker

        job_worker = Worker(store)
        job_worker.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
    finally:
        if job_worker is not None:
            job_worker.stop()
