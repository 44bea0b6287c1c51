"""Where the robot is, which way it faces, how far it has driven and how much battery is left, per step.

The safety rules and the world-model check read the same trace, so both agree on where the robot
stands at every step. Drives are straight lines from the previous position (a navigate step goes to
its location's position); a step whose target is unknown or not finite leaves the robot where it was
(another rule reports why). Duration is the larger of the model's estimate and the physical lower
bound (distance over speed, a wait's length), so a number the model wrote can only make the battery
estimate more conservative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bt_planner.core.geometry import Point, wrap_degrees
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import Action, MoveAction, NavigateAction, Plan, TurnAction, WaitAction


@dataclass(frozen=True, slots=True)
class Step:
    """One action and the robot's simulated motion through it (metres, seconds, percent, degrees)."""

    index: int
    action: Action
    start: Point
    end: Point
    drive_m: float
    total_drive_m: float
    duration_s: float
    battery_after: float
    turn_deg: float | None
    """The turn this step commands, relative to the heading before it (turn steps only)."""


def _finite(*values: float) -> bool:
    return all(math.isfinite(v) for v in values)


def drive_end(action: Action, start: Point, world: World) -> Point:
    """Where the base stands after ``action`` if it started at ``start``: a navigate's location, a move's
    finite target, else ``start`` (unknown locations and non-finite targets do not move it)."""
    if isinstance(action, MoveAction):
        move = action.parameters
        return (move.x, move.y) if _finite(move.x, move.y) else start
    if isinstance(action, NavigateAction):
        location = world.locations.get(action.parameters.location_name)
        return (location.position.x, location.position.y) if location is not None else start
    return start


def trace_plan(*, plan: Plan, state: RobotState, world: World, limits: SafetyLimits) -> list[Step]:
    """The simulated motion of the robot through ``plan``, starting at ``state``'s pose."""
    position: Point = (state.pose.x, state.pose.y)
    heading = state.pose.yaw
    total_drive = total_time = 0.0
    steps: list[Step] = []
    for index, action in enumerate(plan.actions):
        start = position
        end = position
        speed = limits.max_speed_mps
        minimum_s = 0.0
        turn_deg: float | None = None
        end = drive_end(action, start, world)
        if isinstance(action, MoveAction):
            move = action.parameters
            if move.speed is not None and math.isfinite(move.speed):
                speed = min(move.speed, speed)
        elif isinstance(action, WaitAction):
            minimum_s = action.parameters.duration_seconds
        elif isinstance(action, TurnAction):
            turn = action.parameters
            if turn.angle is not None:
                turn_deg = turn.angle
                if math.isfinite(turn.angle):
                    heading += math.radians(turn.angle)
            elif turn.direction_vector is not None:
                target = math.atan2(turn.direction_vector.y, turn.direction_vector.x)
                turn_deg = wrap_degrees(math.degrees(target - heading))
                heading = target
        drive = math.hypot(end[0] - start[0], end[1] - start[1])
        if drive > 0.0:
            heading = math.atan2(end[1] - start[1], end[0] - start[0])
            minimum_s = drive / speed
        duration = max(action.estimated_duration or 0.0, minimum_s)
        total_drive += drive
        total_time += duration
        battery = (
            state.battery_percent
            - limits.battery_percent_per_m * total_drive
            - limits.battery_percent_per_s * total_time
        )
        steps.append(
            Step(
                index=index,
                action=action,
                start=start,
                end=end,
                drive_m=drive,
                total_drive_m=total_drive,
                duration_s=duration,
                battery_after=battery,
                turn_deg=turn_deg,
            )
        )
        position = end
    return steps
