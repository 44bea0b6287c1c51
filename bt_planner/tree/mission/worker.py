"""``PlanWorker``: runs planner calls off the tick thread, so planning never blocks a tick."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class PlanWorker:
    """One background thread for planning calls; remembers the call in flight."""

    def __init__(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="bt-planner-plan"
        )
        self._in_flight: concurrent.futures.Future[object] | None = None
        self._lock = threading.Lock()

    def submit(self, call: Callable[[], T]) -> concurrent.futures.Future[T]:
        future = self._pool.submit(call)
        with self._lock:
            self._in_flight = future  # type: ignore[assignment]
        return future

    def wait_idle(self, timeout_s: float | None = None) -> bool:
        """Block until the latest planning call has finished; False if ``timeout_s`` passed first."""
        with self._lock:
            future = self._in_flight
        if future is None:
            return True
        done, _ = concurrent.futures.wait([future], timeout=timeout_s)
        return bool(done)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
