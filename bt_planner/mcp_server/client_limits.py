"""``ClientRateLimiter``: a token bucket per MCP client, so no client can flood the robot's server.

Each client has ``burst`` tokens, refilled at ``calls_per_minute``; a call takes one. A call with
no token left is refused with how long to wait. The clock is injectable (tests pass their own).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ClientRateLimiter:
    """``take(client)`` -> None when allowed, else the seconds to wait before the next call is."""

    def __init__(
        self, *, calls_per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate_per_s = calls_per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float | None:
        """Spend one of ``client``'s tokens; None when it had one, else seconds until it will."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.setdefault(client, _Bucket(tokens=float(self.burst), updated=now))
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate_per_s)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return (1.0 - bucket.tokens) / self.rate_per_s
