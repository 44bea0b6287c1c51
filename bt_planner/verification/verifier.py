"""``Verifier``: safety limits and the world model, checked together before anything runs.

Both checks read one trace of the robot's simulated motion. Issues come back in plan order
(plan-wide issues first); any issue of severity ``error`` rejects the plan.
"""

from __future__ import annotations

from bt_planner.core.issues import PlanIssue
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.verification.safety_checks import check_safety
from bt_planner.verification.text_screen import TextClassifier
from bt_planner.verification.trace import trace_plan
from bt_planner.verification.world_model import check_world_model


def _order(issue: PlanIssue) -> int:
    return -1 if issue.action_index is None else issue.action_index


class Verifier:
    """Checks a plan against ``limits`` and a world before execution.

    ``custom_actions`` is the registry whose custom actions may run; a custom step it does not
    know is rejected. Stateless and thread-safe: one verifier serves concurrent planning calls.
    """

    def __init__(
        self,
        limits: SafetyLimits,
        custom_actions: CustomActionRegistry | None = None,
        *,
        classifier: TextClassifier | None = None,
    ) -> None:
        self.limits = limits
        self.custom_actions = custom_actions
        self.classifier = classifier

    def verify(self, plan: Plan, state: RobotState, world: World) -> list[PlanIssue]:
        """Every safety and world-model issue of ``plan`` for a robot in ``state`` in ``world``."""
        steps = trace_plan(plan=plan, state=state, world=world, limits=self.limits)
        issues = check_safety(
            plan=plan,
            steps=steps,
            state=state,
            world=world,
            limits=self.limits,
            custom_actions=self.custom_actions,
            classifier=self.classifier,
        )
        issues += check_world_model(steps=steps, state=state, world=world, limits=self.limits)
        return sorted(issues, key=_order)
