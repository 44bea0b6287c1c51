"""Reliability soak (not in CI): fuzzed replies, hostile servers, 1 MB replies. Prints the issue-18 figures.

    .venv/bin/python -m benchmarks.soak_reliability [--replies 2000] [--big 1000]

1. ``--replies`` fuzzed replies (random text, deep JSON, huge numbers, NaN, lone surrogates, control
   characters, long strings, near-plans with hostile values, content-filtered and truncated finishes)
   through ``plan()``: exceptions, results that fail JSON or strict UTF-8, accepted plans with errors.
2. A server that dribbles 1 byte/s and one that never answers, with ``retry.total_timeout_s`` = 3 s:
   how long ``plan()`` takes, and how soon the next command's request reaches a healthy server.
3. ``--big`` replies of 1 MB each over loopback HTTP through the real SDK: resident memory growth.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from typing import Any

from bt_planner.backends.testing import FunctionBackend
from bt_planner.config import Settings
from bt_planner.core.issues import has_errors
from bt_planner.core.world import default_world
from bt_planner.llm.chat import ChatReply
from bt_planner.planning.planner import LLMActionPlanner
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import kitchen_plan

WORLD = default_world()
_TYPES = ["move", "grasp", "place", "speak", "detect", "navigate", "wait", "turn", "custom"]
_KEYS = [
    "x",
    "y",
    "z",
    "speed",
    "location_name",
    "object_id",
    "message",
    "duration_seconds",
    "angle",
    "position",
]


def _text(rng: random.Random) -> str:
    pick = rng.randrange(6)
    if pick == 0:
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(20)))
    if pick == 1:
        return rng.choice(
            ["\ud800", "a\udfffb", "\x00\x07\x1b", "k i l l", "ki\u200bll", "\uff4b\uff49\uff4c\uff4c"]
        )
    if pick == 2:
        return "x" * rng.choice([600, 5000, 100_000])
    return rng.choice(["kitchen", "table", "red_cup", "hello", "cup", ""])


def _number(rng: random.Random) -> Any:
    return rng.choice([1e308, -1e308, 10**50, -(10**30), 0, 1.5, 3.0, 0.2, rng.uniform(-100, 100)])


def _near_plan(rng: random.Random) -> dict[str, Any]:
    actions = []
    for _ in range(rng.randrange(1, 5)):
        params = {k: (_text(rng) if rng.random() < 0.4 else _number(rng)) for k in rng.sample(_KEYS, 3)}
        actions.append({"action_type": rng.choice(_TYPES), "parameters": params, "description": _text(rng)})
    return {"actions": actions, "reasoning": _text(rng)}


def fuzzed_reply(rng: random.Random) -> tuple[str, str | None]:
    """One hostile reply text and its finish reason."""
    kind = rng.randrange(9)
    finish = rng.choice(["stop"] * 6 + ["length", "content_filter", None])
    if kind == 0:
        return _text(rng), finish
    if kind == 1:
        depth = rng.choice([50, 999, 1000, 5000])
        return "[" * depth + "]" * depth, finish
    if kind == 2:
        return '{"actions": [], "reasoning": ' + "9" * rng.choice([100, 4301, 10_000]) + "}", finish
    if kind == 3:
        return json.dumps(_near_plan(rng)).replace("1e+308", "NaN"), finish
    if kind == 4:
        return "```json\n" + json.dumps(_near_plan(rng)) + "\n```", finish
    if kind == 5:
        plan = kitchen_plan()
        plan["reasoning"] = _text(rng)
        return json.dumps(plan), finish
    return json.dumps(_near_plan(rng)), finish


def _strict(result: Any) -> bool:
    try:
        text = result.model_dump_json()
        json.loads(text)
        json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    except Exception:
        return False
    return True


def soak_replies(count: int, seed: int = 18) -> dict[str, float]:
    rng = random.Random(seed)
    replies = [fuzzed_reply(rng) for _ in range(count)]
    it = iter(replies)

    def answer(request: Any) -> ChatReply:
        text, finish = next(it, ("{}", "stop"))
        return ChatReply(content=text, finish_reason=finish)

    planner = LLMActionPlanner(
        Settings(cache={"enabled": False}, llm={"max_repair_rounds": 0}), backend=FunctionBackend(answer)
    )
    exceptions = unserialisable = unsafe_accepted = accepted = 0
    slowest = 0.0
    for i in range(count):
        started = time.monotonic()
        try:
            result = planner.plan(_text(rng) if i % 10 == 0 else "bring the red cup to the table")
        except Exception:
            exceptions += 1
            continue
        slowest = max(slowest, time.monotonic() - started)
        unserialisable += not _strict(result)
        if result.success and result.plan is not None:
            accepted += 1
            unsafe_accepted += has_errors(planner.verifier.verify(result.plan, WORLD.robot, WORLD))
    return {
        "replies": count,
        "exceptions": exceptions,
        "unserialisable": unserialisable,
        "accepted": accepted,
        "accepted_breaking_a_limit": unsafe_accepted,
        "slowest_plan_s": round(slowest, 3),
    }


def soak_servers(budget_s: float = 3.0) -> dict[str, float]:
    figures: dict[str, float] = {"budget_s": budget_s}
    for name, reply in (
        ("dribbling_1_byte_per_s", plan_reply(kitchen_plan(), dribble_interval_s=1.0)),
        ("never_answering", Scripted(never_answer=True)),
    ):
        with FakeOpenAIServer() as server:
            server.push(reply, plan_reply(kitchen_plan()))
            settings = Settings(
                llm={"base_url": server.url, "model": "m", "timeout": 60.0},
                retry={"total_timeout_s": budget_s},
            )
            planner = LLMActionPlanner(settings)
            started = time.monotonic()
            planner.plan("go to the kitchen")
            figures[f"{name}_plan_s"] = round(time.monotonic() - started, 3)
            started = time.monotonic()
            result = planner.plan("bring the red cup to the table")
            figures[f"{name}_next_plan_s"] = round(time.monotonic() - started, 3)
            figures[f"{name}_next_success"] = float(result.success)
        with (
            FakeOpenAIServer() as server
        ):  # pre-emption: cancel a submitted call, the next one starts at once
            server.push(reply, plan_reply(kitchen_plan()))
            planner = LLMActionPlanner(
                Settings(
                    llm={"base_url": server.url, "model": "m", "timeout": 60.0}, retry={"total_timeout_s": 60}
                )
            )
            first = planner.submit("go to the kitchen")
            while not server.requests:
                time.sleep(0.005)
            started = time.monotonic()
            first.cancel()
            second = planner.submit("bring the red cup to the table")
            while len(server.requests) < 2:
                time.sleep(0.005)
            figures[f"{name}_preempted_next_request_after_s"] = round(time.monotonic() - started, 3)
            second.result(timeout=30)
    return figures


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def soak_big_replies(count: int) -> dict[str, float]:
    plan = kitchen_plan()
    plan["reasoning"] = "r" * 1_000_000
    with FakeOpenAIServer(default=plan_reply(plan)) as server:
        planner = LLMActionPlanner(
            Settings(
                llm={"base_url": server.url, "model": "m", "max_repair_rounds": 0}, cache={"enabled": True}
            )
        )
        for i in range(20):  # warm-up: allocator, SDK, caches
            planner.plan(f"bring the red cup to the table #{i}")
        before = _rss_mb()
        started = time.monotonic()
        for i in range(count):
            planner.plan(f"bring the red cup to the table #{i + 20}")
        after = _rss_mb()
    return {
        "big_replies": count,
        "rss_before_mb": round(before, 1),
        "rss_after_mb": round(after, 1),
        "rss_growth_mb": round(after - before, 1),
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--big", type=int, default=1000)
    args = parser.parse_args()
    for section, figures in (
        ("fuzzed replies", soak_replies(args.replies)),
        ("hostile servers", soak_servers()),
        ("1 MB replies", soak_big_replies(args.big)),
    ):
        print(f"== {section}")
        for key, value in figures.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
