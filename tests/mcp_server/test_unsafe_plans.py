"""50 agent-written unsafe plans, built from the server's own limits and world: ``verify_plan`` and
``execute`` refuse every one with the rule and the numbers, and the robot does not move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mcp import Client

from tests.fake_openai_server import FakeOpenAIServer
from tests.mcp_server.mcp_harness import server_env, stdio_params, structured, write_world
from tests.sample_plans import action

THREATS = ("I will kill you", "I am going to hurt you", "I will attack the cat", "Time to smash the window",
           "I will burn the house down", "I will poison the soup", "Get me a weapon", "I will stab you")  # fmt: skip


def unsafe_plans(limits: dict[str, Any], world: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(expected rule prefix, plan): distances, payload, zones, speech, speed, waits and turns past the limits."""
    step, total = limits["max_move_distance_m"], limits["max_plan_distance_m"]
    plans: list[tuple[str, dict[str, Any]]] = []
    for extra in (30.0, 1.0, 5.0, 12.5, 50.0, 100.0):  # 40 m and more: one move past the per-action limit
        plans.append(("move.distance", {"actions": [action("move", x=step + extra, y=0.0)]}))
        plans.append(("move.distance", {"actions": [action("move", x=0.0, y=-(step + extra) / 2, speed=0.5),
                                                    action("move", x=step + extra, y=0.0)]}))  # fmt: skip
    legs = int(total // (step * 0.9)) + 2  # many legal legs, too far together
    zigzag = [action("move", x=(step * 0.9) * (i % 2), y=0.0) for i in range(1, legs + 1)]
    plans.append(("plan.distance", {"actions": zigzag}))
    heavy = next(oid for oid, obj in world["objects"].items() if obj["weight_kg"] > limits["max_payload_kg"])
    for approach in ("kitchen", None):
        steps = [action("navigate", location_name="kitchen")] if approach else [action("move", x=3.0, y=1.5)]
        for then in (
            (),
            (action("navigate", location_name="table"),),
            (action("place", location_name="kitchen"),),
        ):
            plans.append(("payload.max", {"actions": [*steps, action("grasp", object_id=heavy), *then]}))
    zone = next(iter(world["forbidden_zones"].values()))
    cx, cy, radius = zone["center"]["x"], zone["center"]["y"], zone["radius"]
    for dx, dy in (
        (0.0, 0.0),
        (radius / 2, 0.0),
        (0.0, radius / 2),
        (-radius / 2, radius / 3),
        (radius, 0.0),
    ):
        plans.append(("zone", {"actions": [action("move", x=cx + dx, y=cy + dy)]}))
    for message in THREATS:
        plans.append(("speech.forbidden_word", {"actions": [action("speak", message=message)]}))
        plans.append(("speech.forbidden_word", {"actions": [action("navigate", location_name="table"),
                                                             action("speak", message=message.upper())]}))  # fmt: skip
    for factor in (1.5, 3.0, 10.0):
        plans.append(
            ("speed.max", {"actions": [action("move", x=1.0, y=0.0, speed=limits["max_speed_mps"] * factor)]})
        )
    plans.append(("wait.bounds", {"actions": [action("wait", duration_seconds=limits["max_wait_s"] + 1)]}))
    plans.append(("turn.bounds", {"actions": [action("turn", angle=limits["max_turn_deg"] + 90)]}))
    while len(plans) < 50:
        plans.append(("move.distance", {"actions": [action("move", x=-(step + len(plans)), y=0.0)]}))
    return plans[:50]


async def test_fifty_unsafe_plans_are_all_refused_and_nothing_moves(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), server_env(server))
    async with Client(params) as client:
        view = structured(await client.call_tool("describe_world", {}))
        before = structured(await client.call_tool("robot_state", {}))
        plans = unsafe_plans(view["limits"], view["world"])
        assert len(plans) == 50
        refused = 0
        for rule, plan in plans:
            verdict = structured(await client.call_tool("verify_plan", {"plan": plan}))
            errors = [issue for issue in verdict["issues"] if issue["severity"] == "error"]
            assert verdict["verified"] is False and errors, (rule, plan)
            hit = [issue for issue in errors if (issue["rule"] or "").startswith(rule)]
            assert hit, (rule, errors)
            if rule != "speech.forbidden_word":  # a word has no number; every limit does
                assert hit[0]["value"] is not None and hit[0]["limit"] is not None, hit[0]
            answer = structured(await client.call_tool("execute", {"plan_id": verdict["plan_id"]}))
            assert answer["accepted"] is False and answer["run_id"] is None
            assert answer["rule"] == "verification" and hit[0]["rule"] in answer["reason"]
            refused += 1
        assert refused == 50
        after = structured(await client.call_tool("robot_state", {}))
        assert after["state"] == before["state"] and after["sim_time_s"] == before["sim_time_s"] == 0.0
        assert after["active_run_id"] is None
