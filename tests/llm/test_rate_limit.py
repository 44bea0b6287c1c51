"""The client-side rate limiter under threads and asyncio tasks, on a controlled clock."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from bt_planner.llm.rate_limit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_reservations_are_spaced_by_the_interval():
    clock = FakeClock()
    limiter = RateLimiter(60, clock=clock)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 1.0, 2.0]


def test_bucket_refills_with_time_up_to_the_burst():
    clock = FakeClock()
    limiter = RateLimiter(120, burst=2, clock=clock)
    assert [limiter.reserve() for _ in range(2)] == [0.0, 0.0]
    clock.now = 10.0
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.5]


def test_threads_each_get_a_distinct_slot():
    clock = FakeClock()
    limiter = RateLimiter(600, clock=clock)
    delays: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def worker() -> None:
        start.wait()
        for _ in range(10):
            delay = limiter.reserve()
            with lock:
                delays.append(delay)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(delays) == pytest.approx([i * 0.1 for i in range(160)])


async def test_async_tasks_never_start_before_their_slot():
    interval = 0.02
    limiter = RateLimiter(60 / interval)
    loop = asyncio.get_running_loop()
    started: list[float] = []

    async def request() -> None:
        await limiter.aacquire()
        started.append(loop.time())

    begin = loop.time()
    await asyncio.gather(*(request() for _ in range(5)))
    offsets = sorted(t - begin for t in started)
    resolution = time.get_clock_info("monotonic").resolution + 0.001
    assert all(offset >= k * interval - resolution for k, offset in enumerate(offsets)), offsets


def test_rejects_nonsense_rates():
    with pytest.raises(ValueError):
        RateLimiter(0)
