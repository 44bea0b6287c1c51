"""Plan verification before execution (placeholder until the verification package lands)."""

from __future__ import annotations

from bt_planner.custom_actions import CustomActionRegistry
from bt_planner.issues import PlanIssue
from bt_planner.plan import Plan
from bt_planner.safety_limits import SafetyLimits
from bt_planner.state import RobotState
from bt_planner.world import World


class Verifier:
    def __init__(self, limits: SafetyLimits, custom_actions: CustomActionRegistry | None = None) -> None:
        self.limits = limits
        self.custom_actions = custom_actions

    def verify(self, plan: Plan, state: RobotState, world: World) -> list[PlanIssue]:
        return []
