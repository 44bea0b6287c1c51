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
    """The last ``max_entries`` results (oldest dropped first) plus lifetime counters. Thread-safe."""

    def __init__(self, max_entries: int = 500) -> None:
        self._recent: deque[PlanResult] = deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self._requests = self._successes = self._cache_hits = 0
        self._prompt_tokens = self._completion_tokens = 0

    def record(self, result: PlanResult) -> None:
        with self._lock:
            self._recent.append(result)
            self._requests += 1
            self._successes += int(result.success)
            self._cache_hits += int(result.cache_hit)
            if not result.cache_hit:
                self._prompt_tokens += result.usage.prompt_tokens
                self._completion_tokens += result.usage.completion_tokens

    def recent(self) -> list[PlanResult]:
        with self._lock:
            return list(self._recent)

    def stats(self) -> PlannerStats:
        with self._lock:
            latencies = np.array([r.timings.total_ms for r in self._recent], dtype=float)
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
