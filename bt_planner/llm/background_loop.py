"""``BackgroundLoop``: one asyncio event loop on a daemon thread, for running coroutines from sync code.

Synchronous callers get the async machinery's guarantees: a coroutine run here can be cancelled
(``Future.cancel()`` cancels its task, which aborts an HTTP request in flight) and bounded by a
wall-clock deadline, which a blocking socket read cannot be.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """An event loop started on first use on a daemon thread named ``name``. Thread-safe."""

    def __init__(self, name: str = "bt-planner-loop") -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop (started now if it was not)."""
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                threading.Thread(target=run, name=self._name, daemon=True).start()
                ready.wait()
                self._loop = loop
            return self._loop

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coroutine``; cancelling the returned future cancels the coroutine's task."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` to completion and return its result (or raise its exception).

        Must not be called from this loop's own thread. If the calling thread is interrupted
        (``KeyboardInterrupt``), the coroutine is cancelled before the interruption propagates.
        """
        future = self.submit(coroutine)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def in_loop_thread(self) -> bool:
        """True when called from this loop's own thread."""
        with self._lock:
            loop = self._loop
        if loop is None:
            return False
        try:
            return asyncio.get_running_loop() is loop
        except RuntimeError:
            return False
