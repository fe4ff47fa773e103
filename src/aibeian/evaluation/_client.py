"""One OpenAI-compatible chat client for targets, judges and the augmenter.

Retries 429, 5xx, timeouts and connection resets with exponential backoff (honouring ``Retry-After``); a
global rate limit and a concurrency limit are shared by every caller of one client, so a judge model and a
target behind the same quota do not trample each other. httpx errors stop here and become TargetError.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from aibeian import __version__
from aibeian.errors import InputError, TargetError

_SLOTS_PER_POOL = 4
_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class ClientConfig:
    """How to reach one endpoint. ``api_key`` is read from an environment variable, never stored in a run."""

    base_url: str
    model: str
    api_key: str | None = None
    timeout: float = 60.0
    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0
    concurrency: int = 8
    rate: float | None = None  # requests per second, all callers together
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Checked here, before any run directory exists: a URL without http(s):// is not worth six retries.
        scheme, _, rest = self.base_url.partition("://")
        if scheme.lower() not in ("http", "https") or not rest.strip("/"):
            raise InputError(
                f"{self.base_url!r} is not an http:// or https:// URL",
                field="url",
                expected="the endpoint's base URL, e.g. http://127.0.0.1:8000/v1",
            )

    def public(self) -> dict[str, Any]:
        """What a run record may keep: never the key."""
        return {
            "url": self.base_url,
            "model": self.model,
            "params": dict(self.params),
            "timeout": self.timeout,
        }


def api_key_from_env(var: str | None) -> str | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise InputError(f"environment variable {var} is not set or empty", field="--api-key-env")
    return value


@dataclass
class ChatResult:
    text: str
    finish_reason: str | None
    usage: dict[str, Any]
    latency_s: float
    attempts: int
    model: str | None


class FatalTargetError(TargetError):
    """The endpoint cannot serve any item (unreachable, wrong key, wrong URL): stop the run, keep it resumable."""


class _MalformedResponseError(Exception):
    """HTTP 200 whose body is not a chat completion."""


class RateLimiter:
    """Spaces request starts at least ``1/rate`` seconds apart across all tasks."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            await asyncio.sleep(start - now)


def _chat_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


class ChatClient:
    """Async client for ``POST /v1/chat/completions``. Use as an async context manager."""

    def __init__(self, config: ClientConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        self._url = _chat_url(config.base_url)
        headers = {"User-Agent": f"aibeian/{__version__}"}
        if config.api_key:
            headers["Authorization"] = f"Bearer {config.api_key}"
        concurrency = max(config.concurrency, 1)
        # httpcore's pool does work proportional to (queued requests x connections) on every event, which
        # costs milliseconds per request at 32+ connections; small pools, each with its own slots, keep the
        # client's overhead flat as concurrency grows.
        shards = -(-concurrency // _SLOTS_PER_POOL)
        self._pools = [
            httpx.AsyncClient(
                headers=headers,
                timeout=httpx.Timeout(config.timeout),
                limits=httpx.Limits(
                    max_connections=_SLOTS_PER_POOL, max_keepalive_connections=_SLOTS_PER_POOL
                ),
                transport=transport,
            )
            for _ in range(shards)
        ]
        self._slots: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(concurrency):
            self._slots.put_nowait(slot % shards)
        self._limiter = RateLimiter(config.rate)

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()

    def request_body(self, messages: list[dict[str, str]], **params: Any) -> dict[str, Any]:
        return {"model": self.config.model, "messages": messages, **self.config.params, **params}

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            retry_after = response.headers.get("retry-after")
            if retry_after:
                try:
                    return min(float(retry_after), self.config.max_backoff)
                except ValueError:
                    pass
        base = min(self.config.backoff * 2 ** (attempt - 1), self.config.max_backoff)
        return float(base * (0.5 + random.random() / 2))

    async def chat(self, messages: list[dict[str, str]], **params: Any) -> ChatResult:
        """One completion. Raises TargetError when retries are exhausted or the answer is not a completion."""
        body = self.request_body(messages, **params)
        last = "no attempt"
        unreachable = True
        for attempt in range(1, self.config.max_retries + 2):
            response: httpx.Response | None = None
            pool = await self._slots.get()
            try:
                await self._limiter.wait()
                started = time.perf_counter()
                try:
                    response = await self._pools[pool].post(self._url, json=body)
                except httpx.TimeoutException:
                    last = f"timed out after {self.config.timeout:g} s"
                except httpx.TransportError as exc:
                    last = f"cannot reach {self.config.base_url}: {exc.__class__.__name__}: {exc}"
                latency = time.perf_counter() - started
            finally:
                self._slots.put_nowait(pool)
            if response is not None:
                unreachable = False
                if response.status_code in (401, 403):
                    raise FatalTargetError(
                        f"{self.config.base_url} refused the credentials (HTTP {response.status_code}); "
                        "check --api-key-env"
                    )
                if response.status_code == 404:
                    raise FatalTargetError(
                        f"{self._url} answered 404: is the URL an OpenAI-compatible /v1 endpoint?"
                    )
                if response.status_code not in _RETRY_STATUS:
                    if response.status_code >= 400:
                        raise TargetError(
                            f"{self._url} answered HTTP {response.status_code}: {response.text[:300]}"
                        )
                    try:
                        return self._parse(response, latency, attempt)
                    except _MalformedResponseError as exc:
                        last = str(exc)  # a proxy or a dying server; worth another attempt
                else:
                    last = f"HTTP {response.status_code}"
            if attempt <= self.config.max_retries:
                await asyncio.sleep(self._delay(attempt, response))
        if unreachable and last.startswith("cannot reach"):
            raise FatalTargetError(f"{last} (after {self.config.max_retries + 1} attempts)")
        raise TargetError(f"{self._url}: gave up after {self.config.max_retries + 1} attempts ({last})")

    def _parse(self, response: httpx.Response, latency: float, attempts: int) -> ChatResult:
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise _MalformedResponseError(
                f"returned something that is not a chat completion: {response.text[:200]!r}"
            ) from exc
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise _MalformedResponseError("returned a non-text message content")
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
        return ChatResult(
            text=text,
            finish_reason=choice.get("finish_reason"),
            usage=usage,
            latency_s=round(latency, 4),
            attempts=attempts,
            model=data.get("model"),
        )
