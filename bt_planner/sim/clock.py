"""``SimClock``: simulated time that only moves when told to, so simulated runs are deterministic."""

from __future__ import annotations

import threading


class SimClock:
    """Seconds of simulated time, advanced explicitly by ``advance`` (usually via ``SimulatedRobot.step``).

    Time is kept in whole nanoseconds, so a hundred steps of 0.1 s land on exactly 10.0 s.
    """

    def __init__(self, start_s: float = 0.0) -> None:
        self._ns = round(start_s * 1e9)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._ns / 1e9

    def advance(self, dt_s: float) -> float:
        """Move time forward by ``dt_s`` (>= 0) and return the new time."""
        if not dt_s >= 0:
            raise ValueError(f"time only moves forward; got dt_s={dt_s}")
        with self._lock:
            self._ns += round(dt_s * 1e9)
            return self._ns / 1e9
