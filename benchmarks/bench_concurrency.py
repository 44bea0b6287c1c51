"""32 concurrent ``aplan`` calls against a loopback OpenAI-compatible server that answers in 200 ms,
versus one call: the ratio shows whether planning calls overlap or queue.

The server is the tests' real HTTP server (``tests/fake_openai_server.py``) and the client is the
real ``openai`` SDK, so the number includes HTTP, JSON and the SDK's connection pool.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from benchmarks.rows import BenchRow, print_rows
from benchmarks.workload import SEED_COMMAND
from bt_planner.config import Settings
from bt_planner.core.world import default_world
from bt_planner.planning.planner import LLMActionPlanner
from tests.fake_openai_server import FakeOpenAIServer, Scripted
from tests.sample_plans import kitchen_plan

DELAY_S = 0.2
CONCURRENT = 32


async def _wall_s(planner: LLMActionPlanner, count: int) -> float:
    world = default_world()
    started = time.perf_counter()
    results = await asyncio.gather(*(planner.aplan(SEED_COMMAND, world.robot, world) for _ in range(count)))
    elapsed = time.perf_counter() - started
    failed = [r for r in results if not r.success]
    if failed:
        raise RuntimeError(f"{len(failed)} of {count} plans failed: {[str(i) for i in failed[0].issues]}")
    return elapsed


async def _measure(url: str, rounds: int) -> tuple[float, float]:
    settings = Settings(
        llm={"base_url": url, "api_key": "not-a-real-key", "model": "fake-model", "timeout": 10.0},
        cache={"enabled": False},
        retry={"max_attempts": 1},  # a hidden retry would blur the number; failures raise instead
    )
    planner = LLMActionPlanner(settings)
    await _wall_s(planner, CONCURRENT)  # open the pooled connections once
    single = statistics.median([await _wall_s(planner, 1) for _ in range(rounds)])
    burst = statistics.median([await _wall_s(planner, CONCURRENT) for _ in range(rounds)])
    return single, burst


def run(*, quick: bool = False) -> list[BenchRow]:
    reply = Scripted(content=json.dumps(kitchen_plan()), delay_s=DELAY_S)
    with FakeOpenAIServer(default=reply) as server:
        # socketserver listens with a backlog of 5: 32 simultaneous connects would overflow it and
        # be reset or retried after a 1 s SYN timeout. Listen again with room for the burst.
        server._httpd.socket.listen(4 * CONCURRENT)
        single, burst = asyncio.run(_measure(server.url, 2 if quick else 5))
    ratio = burst / single
    return [
        BenchRow(name="one aplan, server answers in 200 ms (median)", value=single * 1000, unit="ms"),
        BenchRow(name=f"{CONCURRENT} concurrent aplan (median wall time)", value=burst * 1000, unit="ms"),
        BenchRow(
            name=f"{CONCURRENT} concurrent / one",
            value=ratio,
            unit="x",
            target="<= 1.5x",
            met=ratio <= 1.5,
            note="loopback HTTP server, real openai SDK",
        ),
    ]


if __name__ == "__main__":
    print_rows(run(), title="Concurrent planning")
