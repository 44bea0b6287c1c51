"""Pipeline overhead without the LLM, and the plan cache's hit time.

Overhead is one ``LLMActionPlanner.plan`` call for a 20-action plan whose model reply is instant
(an in-process backend returns the JSON): cache lookup off, prompt, schema, parse, validate,
verify. The stage rows time each of those alone. Cache hit is a repeat call served from the cache.
"""

from __future__ import annotations

import json

from benchmarks.rows import BenchRow, print_rows
from benchmarks.timing import median_ms
from benchmarks.workload import COMMAND, twenty_action_plan
from bt_planner.config import Settings
from bt_planner.core.world import default_world
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.llm.prompt import build_messages
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.parsing import parse_plan
from bt_planner.plans.schema import plan_json_schema
from bt_planner.verification import Verifier


def run(*, quick: bool = False) -> list[BenchRow]:
    repeat = 50 if quick else 500
    world = default_world()
    state = world.robot
    plan = twenty_action_plan()
    text = json.dumps(plan.to_wire())
    backend = ReferencePlanBackend(plan)
    uncached = LLMActionPlanner(Settings(cache={"enabled": False}), backend=backend)
    first = uncached.plan(COMMAND, state, world)
    if not first.success:
        raise RuntimeError(f"the benchmark plan does not verify: {[str(i) for i in first.issues]}")
    verifier = Verifier(Settings().safety)
    total = median_ms(lambda: uncached.plan(COMMAND, state, world), repeat=repeat)
    stages = {
        "prompt": median_ms(lambda: build_messages(COMMAND, state, world), repeat=repeat),
        "schema (memoised)": median_ms(lambda: plan_json_schema(world), repeat=repeat),
        "parse + validate": median_ms(lambda: parse_plan(text), repeat=repeat),
        "verify": median_ms(lambda: verifier.verify(plan, state, world), repeat=repeat),
    }
    cached = LLMActionPlanner(Settings(), backend=backend)
    cached.plan(COMMAND, state, world)
    hit = median_ms(lambda: cached.plan(COMMAND, state, world), repeat=repeat)
    if not cached.plan(COMMAND, state, world).cache_hit:
        raise RuntimeError("the repeat call was not served from the cache")
    rows = [
        BenchRow(
            name="pipeline overhead, 20-action plan (median)",
            value=total,
            unit="ms",
            target="<= 2 ms",
            met=total <= 2.0,
            note="prompt + schema + parse + validate + verify, instant backend",
        )
    ]
    rows += [BenchRow(name=f"  stage: {name}", value=ms, unit="ms") for name, ms in stages.items()]
    rows.append(
        BenchRow(
            name="cache hit (median)",
            value=hit,
            unit="ms",
            target="<= 0.1 ms",
            met=hit <= 0.1,
            note="plan() served from the LRU cache",
        )
    )
    return rows


if __name__ == "__main__":
    print_rows(run(), title="Pipeline and cache")
