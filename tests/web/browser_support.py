"""What every browser test shares: the workbench served by a real uvicorn in a thread, and Debian's chromium
driven by Playwright with the flags this closed network needs (no background connections, no updates)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free loopback port until the block ends; yields the base URL."""
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian chromium (skips the test where it or Playwright is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def open_page(base_url: str, **options: Any) -> Iterator[Any]:
    with chromium() as browser:
        yield browser.new_page(base_url=base_url, **options)


@contextlib.contextmanager
def api_session(base: str, username: str, password: str) -> Iterator[Any]:
    """A ``requests`` session signed in through the login form, sending the CSRF token as the API wants it
    (schemathesis calls the API with a requests session)."""
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{base}/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the login page"
    session.post(
        f"{base}/login",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
        allow_redirects=False,
    )
    session.headers["X-CSRF-Token"] = found.group(1)
    assert session.get(f"{base}/api/me").status_code == 200, "sign-in failed"
    try:
        yield session
    finally:
        session.close()
