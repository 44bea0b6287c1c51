"""``RealTimePacer``: paces fixed simulation steps to the wall clock, for demos (tests never use it)."""

from __future__ import annotations

import time
from collections.abc import Callable


class RealTimePacer:
    """Waits so that each ``period_s`` of simulated time takes ``period_s / speed`` wall seconds.

    The simulation itself still advances in fixed steps, so a paced run produces the same
    result as an unpaced one; pacing only decides how long it takes to watch.
    """

    def __init__(
        self,
        *,
        period_s: float,
        speed: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if period_s <= 0 or speed <= 0:
            raise ValueError("period_s and speed must be positive")
        self.period_s = period_s
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._deadline: float | None = None

    def wait(self) -> None:
        """Block until the next step is due; a late step does not make later steps hurry."""
        now = self._clock()
        if self._deadline is None:
            self._deadline = now
        self._deadline = max(self._deadline + self.period_s / self.speed, now)
        delay = self._deadline - now
        if delay > 0:
            self._sleep(delay)
