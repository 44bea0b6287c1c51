"""CallPolicy: one deadline over every attempt and wait; Retry-After honoured but capped."""

from __future__ import annotations

import asyncio

import pytest

from bt_planner.config import RetrySettings
from bt_planner.errors import BackendError
from bt_planner.llm.call_policy import CallPolicy


class _Clock:
    """A controllable clock: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _policy(clock: _Clock, **retry: float) -> CallPolicy:
    settings = RetrySettings(initial_wait_s=0.5, max_wait_s=4.0, jitter_s=0.0, **retry)  # type: ignore[arg-type]
    return CallPolicy(settings, sleep=clock.sleep, clock=clock)


def test_an_absurd_retry_after_is_capped_at_max_retry_after_s():
    clock = _Clock()
    calls = iter([BackendError("429", retryable=True, retry_after_s=99999.0)])

    def attempt() -> str:
        error = next(calls, None)
        if error is not None:
            raise error
        return "ok"

    assert _policy(clock, max_retry_after_s=7.0).call(attempt) == "ok"
    assert clock.waits == [7.0]


def test_no_retry_is_made_whose_wait_would_end_past_the_deadline():
    clock = _Clock()
    attempts: list[float] = []

    def attempt() -> str:
        attempts.append(clock.now)
        raise BackendError("503", retryable=True, retry_after_s=6.0)

    with pytest.raises(BackendError, match="503"):
        _policy(clock, total_timeout_s=10.0, max_attempts=10).call(attempt)
    assert attempts == [0.0, 6.0]  # a third attempt would start at 12 s, past the 10 s deadline
    assert clock.now <= 10.0


def test_a_passed_deadline_fails_without_calling():
    clock = _Clock()
    policy = _policy(clock)
    with pytest.raises(BackendError, match="deadline"):
        policy.call(lambda: "never", deadline=-1.0)


async def test_acall_cancels_the_attempt_in_flight_at_the_deadline():
    cancelled = asyncio.Event()

    async def attempt() -> str:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return "never"

    policy = CallPolicy(RetrySettings(total_timeout_s=0.2))
    with pytest.raises(BackendError, match=r"planning deadline of 0\.2 s"):
        await policy.acall(attempt)
    assert cancelled.is_set()
