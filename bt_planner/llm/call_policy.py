"""How a backend call is made robust: retries with backoff and jitter, and the client rate limit.

Retries are tenacity's (the SDK's own retries are switched off, so they never stack). Each attempt
first takes a rate-limiter slot. The wait is exponential with jitter, but never shorter than the
server's ``Retry-After``; the whole call gives up after ``total_timeout_s``.
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
    stop_after_delay,
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
    """Applies retry and rate limiting around a backend call, sync or async.

    ``sleep`` and ``asleep`` are injectable so tests can observe waits without spending them.
    """

    def __init__(
        self,
        retry: RetrySettings,
        *,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        asleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._retry = retry
        self._limiter = limiter
        self._sleep = sleep
        self._asleep = asleep
        self._backoff = wait_exponential(multiplier=retry.initial_wait_s, max=retry.max_wait_s) + wait_random(
            0, retry.jitter_s
        )

    def _wait(self, state: RetryCallState) -> float:
        backoff = float(self._backoff(state))
        error = state.outcome.exception() if state.outcome is not None else None
        if isinstance(error, BackendError) and error.retry_after_s is not None:
            return min(max(backoff, error.retry_after_s), self._retry.total_timeout_s)
        return backoff

    def _kwargs(self) -> dict[str, object]:
        return {
            "retry": retry_if_exception(_retryable),
            "stop": stop_after_attempt(self._retry.max_attempts)
            | stop_after_delay(self._retry.total_timeout_s),
            "wait": self._wait,
            "reraise": True,
        }

    def call(self, attempt: Callable[[], T]) -> T:
        def limited() -> T:
            if self._limiter is not None:
                self._limiter.acquire()
            return attempt()

        return Retrying(sleep=self._sleep, **self._kwargs())(limited)  # type: ignore[arg-type]

    async def acall(self, attempt: Callable[[], Awaitable[T]]) -> T:
        async def limited() -> T:
            if self._limiter is not None:
                await self._limiter.aacquire()
            return await attempt()

        return await AsyncRetrying(sleep=self._asleep, **self._kwargs())(limited)  # type: ignore[arg-type]
