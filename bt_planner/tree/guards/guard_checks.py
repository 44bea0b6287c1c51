"""The live safety checks a ``SafetyGuard`` runs every tick, by name.

Each check calls the same rule function the plan verifier uses (``bt_planner.verification.rules``),
here with the robot's live state instead of the plan's predicted state. Only issues of severity
``error`` trip a guard (an unknown payload weight under ``unknown_weight_policy="warn"`` does not).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bt_planner.core.geometry import Vec2
from bt_planner.core.issues import PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.verification.rules import battery_rule, payload_rule, stale_state_rule, zone_rule


@dataclass(frozen=True)
class LiveState:
    """What the guard read from the robot and the blackboard this tick."""

    state: RobotState
    age_s: float
    estop: bool | None
    """None: ``/robot/estop`` was never written."""


Check = Callable[[LiveState, World, SafetyLimits, int], "str | None"]


def _reason(issue: PlanIssue | None) -> str | None:
    if issue is None or issue.severity is not Severity.ERROR:
        return None
    return f"{issue.message} [{issue.rule}]" if issue.rule else issue.message


def estop_check(live: LiveState, world: World, limits: SafetyLimits, index: int) -> str | None:
    if live.estop is None:
        return (
            "the e-stop flag /robot/estop was never written; write False to it before ticking "
            "(bt_planner.tree.keys.init_robot_keys())"
        )
    return "emergency stop engaged" if live.estop else None


def stale_check(live: LiveState, world: World, limits: SafetyLimits, index: int) -> str | None:
    return _reason(stale_state_rule(age_s=live.age_s, limits=limits, action_index=index))


def battery_check(live: LiveState, world: World, limits: SafetyLimits, index: int) -> str | None:
    return _reason(
        battery_rule(battery_percent=live.state.battery_percent, limits=limits, action_index=index)
    )


def zone_check(live: LiveState, world: World, limits: SafetyLimits, index: int) -> str | None:
    if not world.forbidden_zones:
        return None
    point = Vec2(x=live.state.pose.x, y=live.state.pose.y)
    return _reason(zone_rule(point=point, world=world, limits=limits, action_index=index))


def payload_check(live: LiveState, world: World, limits: SafetyLimits, index: int) -> str | None:
    return _reason(payload_rule(object_id=live.state.holding, world=world, limits=limits, action_index=index))


CHECKS: dict[str, Check] = {
    "estop": estop_check,
    "stale": stale_check,
    "battery": battery_check,
    "zone": zone_check,
    "payload": payload_check,
}
"""Checks by name, in the order a guard runs them (a stale state makes the later ones moot)."""

ALL_CHECKS: tuple[str, ...] = tuple(CHECKS)
