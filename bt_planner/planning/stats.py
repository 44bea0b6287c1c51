"""Bounded planning history and the numbers derived from it: success rate, latency, tokens."""

from __future__ import annotations

import threading
from collections import deque

import numpy as np
from pydantic import BaseModel, ConfigDict

from bt_planner.planning.result import PlanResult


class PlannerStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    requests: int
    successes: int
    cache_hits: int
    success_rate: float
    latency_p50_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    prompt_tokens: int
    completion_tokens: int


class PlanHistory:
    """The last results (oldest dropped first) plus lifetime counters. Thread-safe.

    Bounded by count (``max_entries``) and by size (``max_bytes``, the results' JSON length), so a
    run of huge replies cannot grow memory without bound; the counters cover every result.
    """

    def __init__(self, max_entries: int = 500, *, max_bytes: int = 8_000_000) -> None:
        self._recent: deque[tuple[PlanResult, int]] = deque()
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._lock = threading.Lock()
        self._requests = self._successes = self._cache_hits = 0
        self._prompt_tokens = self._completion_tokens = 0

    def record(self, result: PlanResult) -> None:
        size = len(result.model_dump_json())
        with self._lock:
            self._recent.append((result, size))
            self._bytes += size
            while len(self._recent) > self._max_entries or (
                self._bytes > self._max_bytes and len(self._recent) > 1
            ):
                self._bytes -= self._recent.popleft()[1]
            self._requests += 1
            self._successes += int(result.success)
            self._cache_hits += int(result.cache_hit)
            if not result.cache_hit:
                self._prompt_tokens += result.usage.prompt_tokens
                self._completion_tokens += result.usage.completion_tokens

    def recent(self) -> list[PlanResult]:
        with self._lock:
            return [result for result, _ in self._recent]

    def stats(self) -> PlannerStats:
        with self._lock:
            latencies = np.array([r.timings.total_ms for r, _ in self._recent], dtype=float)
            p50, p95, top = (
                (
                    float(np.percentile(latencies, 50)),
                    float(np.percentile(latencies, 95)),
                    float(latencies.max()),
                )
                if latencies.size
                else (0.0, 0.0, 0.0)
            )
            return PlannerStats(
                requests=self._requests,
                successes=self._successes,
                cache_hits=self._cache_hits,
                success_rate=self._successes / self._requests if self._requests else 0.0,
                latency_p50_ms=p50,
                latency_p95_ms=p95,
                latency_max_ms=top,
                prompt_tokens=self._prompt_tokens,
                completion_tokens=self._completion_tokens,
            )
