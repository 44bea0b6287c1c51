"""Client-side request rate limiter (token bucket), safe across threads and asyncio tasks.

One bucket is shared by every caller; a lock guards the bucket and each caller sleeps outside
the lock (``time.sleep`` in threads, ``asyncio.sleep`` in tasks) for exactly the time it reserved.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable


class RateLimiter:
    """At most ``requests_per_minute`` requests, with bursts up to ``burst`` (default 1)."""

    def __init__(
        self,
        requests_per_minute: float,
        *,
        burst: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self._interval = 60.0 / requests_per_minute
        self._capacity = float(max(1, burst))
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take one request slot now; return how many seconds the caller must wait before sending."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._updated) / self._interval)
            self._updated = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens * self._interval

    def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            time.sleep(delay)

    async def aacquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
