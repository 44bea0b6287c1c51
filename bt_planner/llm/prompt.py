"""The planning prompt: compact, versioned, and only what planning needs.

No schema, state or world is dumped as indented JSON: actions are listed as one-line signatures,
the world as one line per kind, and the robot state as one line. The JSON schema travels
separately as the response format (or grammar) where the backend supports it.
"""

from __future__ import annotations

import math

from bt_planner.core.geometry import Vec3
from bt_planner.core.state import RobotState
from bt_planner.core.world import CircleZone, World
from bt_planner.llm.chat import ChatMessage
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback

PROMPT_VERSION = "bt-planner/2"

_SYSTEM = """Plan tasks for a one-armed mobile robot. Reply with JSON only:
{"actions":[{"action_type","parameters":{..},"description","estimated_duration"}],"reasoning","estimated_total_time"}
Actions (units m, m/s, s, deg):
navigate(location_name)
move(x,y,z,speed|null)
turn(angle|null,direction_vector|null) +angle turns left
detect(object_type,search_area|null)
grasp(object_id,object_type|null) empty gripper, object in reach
place(location_name|null,position|null,orientation|null) while holding
speak(message)
wait(duration_seconds){custom}
Use only listed names; go to an object before grasping it.
If unsafe or impossible: "actions":[] and why in "reasoning"."""


def _xyz(p: Vec3) -> str:
    return f"({p.x:g},{p.y:g},{p.z:g})"


def _world_lines(world: World) -> list[str]:
    lines = []
    if world.locations:
        lines.append(
            "Locations: " + "; ".join(f"{n} {_xyz(loc.position)}" for n, loc in world.locations.items())
        )
    if world.objects:
        parts = []
        for object_id, obj in world.objects.items():
            desc = " ".join(x for x in (obj.color, obj.type) if x)
            where = f"at {obj.location}" if obj.location else _near(world, world.object_position(object_id))
            weight = f" {obj.weight_kg:g}kg" if obj.weight_kg is not None else ""
            parts.append(f"{object_id}={desc} {where}{weight}")
        lines.append("Objects: " + "; ".join(parts))
    if world.forbidden_zones:
        zones = [
            f"{n} circle {z.center.x:g},{z.center.y:g} r{z.radius:g}"
            if isinstance(z, CircleZone)
            else f"{n} polygon " + " ".join(f"{v.x:g},{v.y:g}" for v in z.vertices)
            for n, z in world.forbidden_zones.items()
        ]
        lines.append("Forbidden zones: " + "; ".join(zones))
    if world.obstacles:
        lines.append(
            "Obstacles: "
            + "; ".join(
                f"{n} {o.center.x:g},{o.center.y:g} r{o.radius:g}" for n, o in world.obstacles.items()
            )
        )
    return lines


def _near(world: World, position: Vec3) -> str:
    here = _xyz(position)
    if not world.locations:
        return f"at {here}"
    name, loc = min(world.locations.items(), key=lambda item: item[1].position.planar_distance(position))
    return f"at {here} near {name}" if loc.position.planar_distance(position) <= 1.5 else f"at {here}"


def _state_line(state: RobotState) -> str:
    p = state.pose
    holding = state.holding or "nothing"
    return (
        f"Robot: at ({round(p.x, 2):g},{round(p.y, 2):g}) heading {math.degrees(p.yaw):.0f}deg, "
        f"battery {state.battery_percent:.0f}%, gripper {state.gripper.value}, holding {holding}"
    )


def system_prompt(custom_actions: CustomActionRegistry | None = None) -> str:
    custom = "".join(
        f'\ncustom(name="{spec.name}",{",".join(spec.params_model.model_fields)}) {spec.description}'
        for spec in custom_actions or ()
    )
    return _SYSTEM.replace("{custom}", custom)


def user_prompt(
    command: str, state: RobotState, world: World, feedback: ExecutionFeedback | None = None
) -> str:
    return request_turn([*_world_lines(world), _state_line(state)], command, feedback, label="Command")


def request_turn(context: list[str], command: str, feedback: ExecutionFeedback | None, *, label: str) -> str:
    """The last user turn: the world/robot ``context`` lines, the re-planning feedback, the command."""
    lines = [*context]
    if feedback is not None:
        lines.append(feedback.summary())
    lines.append(f"{label}: {command.strip()}")
    return "\n".join(lines)


def build_messages(
    command: str,
    state: RobotState,
    world: World,
    *,
    custom_actions: CustomActionRegistry | None = None,
    feedback: ExecutionFeedback | None = None,
) -> tuple[ChatMessage, ...]:
    return (
        ChatMessage(role="system", content=system_prompt(custom_actions)),
        ChatMessage(role="user", content=user_prompt(command, state, world, feedback)),
    )


def repair_message(
    problems: list[str],
    *,
    verdict: str = "Your plan was rejected",
    wanted: str = "the corrected JSON plan",
) -> ChatMessage:
    """Feeds the exact validation or verification errors back to the model for one more try."""
    listed = "\n".join(f"- {p}" for p in problems)
    return ChatMessage(role="user", content=f"{verdict}:\n{listed}\nReply with {wanted} only.")
