"""The ``plan_format`` prompt: teaches an agent the plan wire format, this world's names and the limits.

The text is built from the live objects (the world belief, the server's ``SafetyLimits``, the per-world
plan JSON schema), so it cannot drift from what ``verify_plan`` accepts.
"""

from __future__ import annotations

import json

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.schema import plan_json_schema

_EXAMPLE = {
    "actions": [
        {
            "action_type": "navigate",
            "parameters": {"location_name": "kitchen"},
            "description": "go to the kitchen",
        },
        {"action_type": "speak", "parameters": {"message": "I am in the kitchen."}, "description": "say so"},
    ],
    "reasoning": "go there, then say so",
}

_STEPS = """\
| action_type | parameters |
|---|---|
| move | x, y, z (m, world frame), optional speed (m/s) |
| grasp | object_id, optional object_type |
| place | location_name or position {x,y,z}, optional orientation (yaw, degrees) |
| speak | message (1-500 characters) |
| detect | object_type, optional search_area (a location name) |
| navigate | location_name |
| wait | duration_seconds (s) |
| turn | angle (degrees, + is counter-clockwise, relative) or direction_vector {x,y} |"""


def plan_format_text(
    *, world: World, limits: SafetyLimits, custom_actions: CustomActionRegistry | None, command: str = ""
) -> str:
    """The prompt text: the format, the workflow, the world's names, the limits and the JSON schema."""
    locations, objects = world.names()
    zones = ", ".join(world.forbidden_zones) or "none"
    task = f"\nThe task: {command}\n" if command else ""
    schema = json.dumps(plan_json_schema(world, custom_actions), separators=(",", ":"))
    return f"""You command a robot through this MCP server. You never move it directly: you write a plan,
the server verifies it against its own safety limits and world model, and only a verified plan runs.
{task}
Workflow: describe_world and robot_state to see where things are; write a plan; verify_plan(plan)
returns a plan_id and the issues (each with a rule code and the numbers); fix errors and verify again;
execute(plan_id=...) starts it and returns a run_id; poll run_status(run_id) until the state is
SUCCEEDED, FAILED, REJECTED or CANCELLED. plan(command) lets the server's planner write the plan
instead (a dry run: nothing moves). A plan goes stale when the robot or the world changes after it
was verified (for example after another run): verify it again. cancel stops a run; estop stops
everything until release.

A plan is JSON: {{"actions": [...], "reasoning": "...", "estimated_total_time": seconds}}; each action is
{{"action_type": ..., "parameters": {{...}}, "description": "...", "estimated_duration": seconds}}.
Units: metres, m/s, seconds, degrees, kg.

{_STEPS}

Example: {json.dumps(_EXAMPLE)}

This world ({world.name}): locations {", ".join(locations) or "none"}; objects {", ".join(objects) or "none"};
forbidden zones {zones}. Grasp needs an empty gripper and the object within {limits.reach_m:g} m of where
the robot stands; place needs something held.

Limits (the server's, not negotiable): {limits.max_move_distance_m:g} m per move or navigate,
{limits.max_plan_distance_m:g} m per plan, {limits.max_speed_mps:g} m/s, payload {limits.max_payload_kg:g} kg,
battery at least {limits.min_battery_percent:g} %, waits {limits.min_wait_s:g}-{limits.max_wait_s:g} s,
turns up to {limits.max_turn_deg:g} degrees, at most {limits.max_plan_length} actions, no harmful speech.

The JSON schema of a plan in this world: {schema}
"""
