"""``PlanWorker``: runs planner calls off the tick thread, so planning never blocks a tick.

A planner that starts its own cancellable call (``LLMActionPlanner.submit``) hands the future to
``track`` instead: cancelling it then really cancels the call, and the next command's call does not
wait behind a pre-empted one on this worker's single thread.
"""

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

    def track(self, future: concurrent.futures.Future[T]) -> concurrent.futures.Future[T]:
        """Remember ``future``, a call started elsewhere, as the one in flight; returns it."""
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
