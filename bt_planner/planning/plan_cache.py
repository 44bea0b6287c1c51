"""Plan cache: LRU with a time-to-live, keyed by everything that can change the plan.

The key is a SHA-256 of canonical JSON over the normalised command, the robot-state fields that
matter for planning (pose rounded to 1 cm / 1 degree, battery to 1 %, gripper, held object), the
world, the custom actions, the backend model, temperature and prompt version. Only successful
results are stored, bounded both by count and by size (``max_bytes``, the results' JSON length:
one huge reply cannot hold the memory of hundreds). Thread-safe.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult

_SPACES = re.compile(r"\s+")


def normalise_command(command: str) -> str:
    """Lower case, single spaces, no trailing punctuation: 'Go  home!' and 'go home' share a plan."""
    return _SPACES.sub(" ", command.strip().lower()).rstrip(" .!?")


def _state_key(state: RobotState) -> dict[str, Any]:
    return {
        "x": round(state.pose.x, 2),
        "y": round(state.pose.y, 2),
        "z": round(state.pose.z, 2),
        "yaw_deg": round(math.degrees(state.pose.yaw)),
        "battery": round(state.battery_percent),
        "gripper": state.gripper.value,
        "holding": state.holding,
    }


def result_bytes(result: PlanResult) -> int:
    """Approximate memory a stored result holds: the length of its JSON form."""
    return len(result.model_dump_json())


def cache_key(
    *,
    command: str,
    state: RobotState,
    world: World,
    model: str,
    temperature: float,
    prompt_version: str,
    extra: str = "",
) -> str:
    payload = {
        "command": normalise_command(command),
        "state": _state_key(state),
        "world": world.model_dump(mode="json", exclude={"robot"}),
        "model": model,
        "temperature": temperature,
        "prompt": prompt_version,
        "extra": extra,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class CacheStats(BaseModel):
    model_config = ConfigDict(frozen=True)

    hits: int
    misses: int
    evictions: int
    expirations: int
    size: int
    bytes: int = 0
    """Approximate memory of the stored results (their JSON length)."""


class PlanCache:
    """LRU + TTL store of successful ``PlanResult`` values. ``clock`` is injectable for tests."""

    def __init__(
        self,
        *,
        max_entries: int = 256,
        max_bytes: int = 16_000_000,
        ttl_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, PlanResult, int]] = OrderedDict()
        self._max = max_entries
        self._max_bytes = max_bytes
        self._bytes = 0
        self._ttl = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._hits = self._misses = self._evictions = self._expirations = 0

    def get(self, key: str) -> PlanResult | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self._misses += 1
                return None
            stored_at, result, size = entry
            if self._clock() - stored_at > self._ttl:
                del self._entries[key]
                self._bytes -= size
                self._expirations += 1
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return result

    def put(self, key: str, result: PlanResult) -> None:
        size = result_bytes(result)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            if size > self._max_bytes:
                return
            self._entries[key] = (self._clock(), result, size)
            self._bytes += size
            while len(self._entries) > self._max or self._bytes > self._max_bytes:
                _, (_, _, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped
                self._evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                evictions=self._evictions,
                expirations=self._expirations,
                size=len(self._entries),
                bytes=self._bytes,
            )
