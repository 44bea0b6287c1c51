"""Fuzz: any reply text → plan → verify → compile → snapshot → JSON and strict UTF-8, never an exception.

Replies are arbitrary text, arbitrary JSON, and near-plans with hostile values (lone surrogates,
control characters, huge and non-finite numbers, deep nesting, long strings). Every result must
serialise to JSON and every string in it must encode as strict UTF-8 (what a ROS ``String`` does);
an accepted plan must verify clean, compile, and snapshot to strict-UTF-8 JSON.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bt_planner.backends.testing import FunctionBackend
from bt_planner.config import Settings
from bt_planner.core.issues import has_errors
from bt_planner.core.world import default_world
from bt_planner.llm.chat import ChatReply
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.sim import SimulatedRobot
from bt_planner.snapshot.capture import capture
from bt_planner.snapshot.codec import to_json
from bt_planner.tree.compiler import compile_plan

WORLD = default_world()
TYPES = ["move", "grasp", "place", "speak", "detect", "navigate", "wait", "turn", "custom", "fly"]
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["\ud800", "a\udfffb", "\x00\x1b[31m", "kitchen", "red_cup", "table", "k i l l", "\u200b"]
    ),
    st.text(max_size=3).map(lambda s: s * 300),
)
hostile_number = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**60), max_value=10**60),
    st.sampled_from([1e308, -1e308, 0.0, 1.5, 3.0]),
)
json_leaf = st.one_of(st.none(), st.booleans(), hostile_number, hostile_text)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)
parameter_values = st.dictionaries(
    st.sampled_from(["x", "y", "z", "speed", "location_name", "object_id", "message", "duration_seconds",
                     "angle", "object_type", "position", "name", "direction_vector"]),
    st.one_of(json_leaf, json_value),
    max_size=4,
)  # fmt: skip
near_plan = st.fixed_dictionaries(
    {
        "actions": st.lists(
            st.fixed_dictionaries(
                {"action_type": st.sampled_from(TYPES), "parameters": parameter_values},
                optional={"description": hostile_text, "estimated_duration": hostile_number},
            ),
            max_size=4,
        )
    },
    optional={"reasoning": hostile_text, "estimated_total_time": hostile_number},
)


def _dump(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


reply_text = st.one_of(
    st.text(max_size=200),
    json_value.map(_dump),
    near_plan.map(_dump),
    near_plan.map(lambda p: "```json\n" + _dump(p) + "\n```"),
    st.integers(min_value=1, max_value=1200).map(lambda n: "[" * n + "]" * n),
    st.integers(min_value=1, max_value=6000).map(lambda n: '{"actions": [], "reasoning": ' + "9" * n + "}"),
)
finish = st.sampled_from(["stop", "stop", "stop", "length", "content_filter", None])


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=reply_text, finish_reason=finish, command=hostile_text, goals=st.booleans())
def test_any_reply_becomes_a_serialisable_result_and_accepted_plans_are_safe(
    text: str, finish_reason: str | None, command: str, goals: bool
) -> None:
    backend = FunctionBackend(lambda request: ChatReply(content=text, finish_reason=finish_reason))
    config = Settings(planning={"mode": "goals" if goals else "actions"}, cache={"enabled": False})
    planner = LLMActionPlanner(config, backend=backend)
    result = planner.plan(command or "do it", WORLD.robot, WORLD)
    wire = json.loads(result.model_dump_json())
    for string in _strings(wire):
        string.encode("utf-8")
    json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
    if not result.success:
        assert result.plan is None and result.issues
        return
    assert result.plan is not None
    assert not has_errors(planner.verifier.verify(result.plan, WORLD.robot, WORLD))
    compiled = compile_plan(result.plan, robot=SimulatedRobot(WORLD), world=WORLD, limits=config.safety)
    to_json(capture(compiled.root, command=result.command, plan=result.plan)).encode("utf-8")
