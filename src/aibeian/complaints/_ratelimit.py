"""Per-address flood control for the public intake: a sliding window per process.

Per process is enough for the supported deployment (one uvicorn worker); a restart forgets the window,
which errs on the side of letting a reporter through. Retries of an already accepted submission (same
idempotency key) are answered before this is asked, so a client retrying never locks itself out; every
other attempt counts, valid or not, so a flood of junk is stopped as well.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

__all__ = ["SubmissionLimiter"]


class SubmissionLimiter:
    def __init__(self, *, max_submissions: int, window_seconds: int) -> None:
        self.max = max_submissions
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def try_acquire(self, address: str) -> int:
        """0 when ``address`` may submit now (and counts it); otherwise the seconds until it may."""
        with self._lock:
            now = time.monotonic()
            q = self._hits.setdefault(address, deque())
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.max:
                return max(1, math.ceil(q[0] + self.window - now))
            q.append(now)
            if len(self._hits) > 100_000:  # bound memory under a spoofed-address flood
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window}
            return 0
