"""How a backend call is made robust: one deadline, retries with backoff and jitter, the rate limit.

Retries are tenacity's (the SDK's own retries are switched off, so they never stack). Each attempt
first takes a rate-limiter slot. The wait is exponential with jitter, but never shorter than the
server's ``Retry-After`` (itself capped at ``retry.max_retry_after_s``).

Every call has one wall-clock deadline (by default ``retry.total_timeout_s`` from now; the planner
passes one deadline for the whole planning call). No wait runs past it: a retry whose wait would
end after the deadline is not made. ``acall`` cancels the attempt in flight when the deadline
passes; ``call`` cannot interrupt a blocking function, so synchronous backends must honour
``ChatRequest.deadline`` themselves (``OpenAIBackend`` does).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from bt_planner.config import RetrySettings
from bt_planner.errors import BackendError
from bt_planner.llm.rate_limit import RateLimiter

T = TypeVar("T")


def _retryable(error: BaseException) -> bool:
    return isinstance(error, BackendError) and error.retryable


class CallPolicy:
    """Applies the deadline, retry and rate limiting around a backend call, sync or async.

    ``sleep``, ``asleep`` and ``clock`` are injectable so tests can observe waits without spending them.
    """

    def __init__(
        self,
        retry: RetrySettings,
        *,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._retry = retry
        self._limiter = limiter
        self._sleep = sleep
        self._asleep = asleep
        self._clock = clock
        self._backoff = wait_exponential(multiplier=retry.initial_wait_s, max=retry.max_wait_s) + wait_random(
            0, retry.jitter_s
        )

    @property
    def retry(self) -> RetrySettings:
        """The retry settings in force."""
        return self._retry

    def deadline(self) -> float:
        """A fresh deadline: ``retry.total_timeout_s`` from now, on this policy's clock."""
        return self._clock() + self._retry.total_timeout_s

    def _wait(self, state: RetryCallState) -> float:
        backoff = float(self._backoff(state))
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, BackendError) and error.retry_after_s is not None:
            return max(backoff, min(error.retry_after_s, self._retry.max_retry_after_s))
        return backoff

    def _kwargs(self, deadline: float) -> dict[str, object]:
        attempts = stop_after_attempt(self._retry.max_attempts)

        def stop(state: RetryCallState) -> bool:
            return attempts(state) or self._clock() + (state.upcoming_sleep or 0.0) >= deadline

        return {
            "retry": retry_if_exception(_retryable),
            "stop": stop,
            "wait": self._wait,
            "reraise": True,
        }

    def _expired(self) -> BackendError:
        return BackendError(
            f"no reply within the planning deadline of {self._retry.total_timeout_s:g} s (retry.total_timeout_s)"
        )

    def _slot(self, deadline: float) -> float:
        """Take a rate-limiter slot; the seconds to wait for it, or ``BackendError`` if past the deadline."""
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise self._expired()
        delay = self._limiter.reserve() if self._limiter is not None else 0.0
        if delay >= remaining:
            raise BackendError(
                f"the client rate limit (llm.requests_per_minute) would delay this request {delay:.1f} s, "
                f"past the planning deadline ({remaining:.1f} s left)"
            )
        return delay

    def call(self, attempt: Callable[[], T], *, deadline: float | None = None) -> T:
        """``attempt()`` with retries until it succeeds, fails for good, or ``deadline`` nears."""
        end = deadline if deadline is not None else self.deadline()

        def limited() -> T:
            if (delay := self._slot(end)) > 0:
                time.sleep(delay)
            return attempt()

        return Retrying(sleep=self._sleep, **self._kwargs(end))(limited)  # type: ignore[arg-type]

    async def acall(self, attempt: Callable[[], Awaitable[T]], *, deadline: float | None = None) -> T:
        """``await attempt()`` with retries; the attempt in flight is cancelled at ``deadline``."""
        end = deadline if deadline is not None else self.deadline()

        async def limited() -> T:
            if (delay := self._slot(end)) > 0:
                await asyncio.sleep(delay)
            return await attempt()

        retrying = AsyncRetrying(sleep=self._asleep, **self._kwargs(end))  # type: ignore[arg-type]
        remaining = end - self._clock()
        if remaining <= 0:
            raise self._expired()
        try:
            return await asyncio.wait_for(retrying(limited), timeout=remaining)
        except asyncio.TimeoutError as error:
            raise self._expired() from error
