"""Fleet rule: a plan must not drive to where another robot of the same world stands right now.

Robots that share a world each plan on their own; this is the least coordination that keeps one from
driving into another: every navigate/move target (as the verifier's trace computes it) must keep
``radius_m`` from each peer's current position. It is checked on the plan the planner accepted, with the
peers' positions at planning time; moving peers are the next plan's business (and the robot's own
obstacle avoidance's).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bt_planner.core.geometry import Vec2
from bt_planner.core.issues import IssueCode, PlanIssue
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import MoveAction, NavigateAction, Plan
from bt_planner.verification.trace import trace_plan

PEER_TARGET = "fleet.peer_target"
"""Rule code of the issue: the drive's target is another robot's current position."""
PEER_RADIUS_M = 0.6
"""Default keep-out radius around a peer (m): a base's footprint plus a margin."""


def check_peer_targets(
    *,
    plan: Plan,
    state: RobotState,
    world: World,
    limits: SafetyLimits,
    peers: Mapping[str, Vec2],
    radius_m: float = PEER_RADIUS_M,
) -> list[PlanIssue]:
    """One error per drive (navigate/move) whose target is within ``radius_m`` of a peer in ``peers``.

    ``peers`` maps each other robot's name (e.g. its namespace) to its current position (world frame).
    """
    if not peers:
        return []
    issues: list[PlanIssue] = []
    for step in trace_plan(plan=plan, state=state, world=world, limits=limits):
        if not isinstance(step.action, (MoveAction, NavigateAction)):
            continue
        x, y = step.end
        for name, where in sorted(peers.items()):
            gap = math.hypot(x - where.x, y - where.y)
            if gap < radius_m:
                target = (
                    repr(step.action.parameters.location_name)
                    if isinstance(step.action, NavigateAction)
                    else f"({x:.2f}, {y:.2f})"
                )
                issues.append(
                    PlanIssue(
                        code=IssueCode.UNREACHABLE,
                        rule=PEER_TARGET,
                        message=(
                            f"target {target} is {gap:.2f} m from robot {name!r} at ({where.x:.2f}, "
                            f"{where.y:.2f}), keep-out radius {radius_m:.2f} m: another robot stands there"
                        ),
                        action_index=step.index,
                        value=gap,
                        limit=radius_m,
                    )
                )
    return issues
