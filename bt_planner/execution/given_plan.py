"""``GivenPlanPlanner``: a planner that answers with a plan given in advance (``bt-planner run --plan``).

It lets a ready-made plan take the same path as a model's: the mission asks it for a plan, it
answers with the given one, verified against the state and world of the request, and the mission
verifies and executes it like any other. No model is called.
"""

from __future__ import annotations

from bt_planner.core.issues import Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.verification import Verifier

GIVEN_BACKEND = "given-plan"
"""``PlanResult.backend`` of every answer of a ``GivenPlanPlanner``."""


class GivenPlanPlanner:
    """Answers every request with ``plan``; a ``CommandPlanner`` for ``Mission`` and ``MissionRunner``.

    The answer is verified with ``limits`` against the request's state and world: with errors it
    is a failed ``PlanResult`` (``plan`` None, the errors in ``issues``), otherwise a successful
    one whose ``issues`` hold any warnings. A re-plan request (``feedback``) gets the same plan:
    run it with ``max_replans=0``. Stateless and thread-safe.

    Args:
        plan: the plan to answer with.
        limits: the safety limits to verify it against.
        custom_actions: the registry its custom actions come from.
    """

    def __init__(
        self, plan: Plan, *, limits: SafetyLimits, custom_actions: CustomActionRegistry | None = None
    ) -> None:
        self.plan_to_give = plan
        self.verifier = Verifier(limits, custom_actions)

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        """The given plan for ``command``, verified for a robot in ``state`` in ``world``.

        ``state`` defaults to ``world.robot``. No clock is read: the result's timings are zero.

        Raises:
            ValueError: when ``world`` is None (there is nothing to verify against; the mission
                always passes it).
        """
        if world is None:
            raise ValueError("GivenPlanPlanner.plan needs the world to verify the plan against")
        robot = state if state is not None else world.robot
        issues = self.verifier.verify(self.plan_to_give, robot, world)
        accepted = not any(issue.severity is Severity.ERROR for issue in issues)
        return PlanResult(
            success=accepted,
            command=command,
            plan=self.plan_to_give if accepted else None,
            issues=issues,
            backend=GIVEN_BACKEND,
        )
