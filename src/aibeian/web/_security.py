"""Session secret, CSRF tokens and login rate limiting: the parts of accounts that are not the database.

The CSRF token is a random value kept in the signed session and echoed by every form (``csrf_token``) or
htmx/API request (``X-CSRF-Token`` header); a cross-site page can make the browser send the cookie but cannot
read the token. The rate limiter is per process (one uvicorn worker is the supported deployment).
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import deque

from aibeian.errors import StorageError
from aibeian.settings import Settings

__all__ = ["LoginLimiter", "new_token", "resolve_secret", "tokens_match"]


def resolve_secret(settings: Settings) -> str:
    """The configured key, or one generated once and kept (mode 600) under home so sessions survive restarts."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.home / "secret_key"
    try:
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key + "\n")
        return key
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise StorageError(f"cannot keep the session key in {path}: {exc}; set AIBEIAN_SECRET_KEY") from exc


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and secrets.compare_digest(str(expected), str(given))


class LoginLimiter:
    """Sliding-window count of failed logins per (client address, user name)."""

    def __init__(self, *, max_attempts: int, window_seconds: int) -> None:
        self.max_attempts = max_attempts
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, client: str, username: str) -> bool:
        with self._lock:
            return len(self._recent((client, username.lower()), time.monotonic())) >= self.max_attempts

    def failed(self, client: str, username: str) -> None:
        with self._lock:
            now = time.monotonic()
            self._recent((client, username.lower()), now).append(now)

    def succeeded(self, client: str, username: str) -> None:
        with self._lock:
            self._failures.pop((client, username.lower()), None)
