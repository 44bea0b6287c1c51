"""``ExecutionReport``: everything one simulated plan run tells you, for tests, the CLI and evaluation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import CustomAction, Plan
from bt_planner.tree.action_outcome import ActionOutcome


class ExecutionReport(BaseModel):
    """One plan run against the simulator. Times are simulated seconds.

    ``final_world`` is the simulator's world when the run ended (objects where they really are)
    and its ``robot`` is ``final_state``; ``spoken`` is everything the robot has said so far.
    """

    model_config = ConfigDict(frozen=True)

    success: bool
    failure: str | None = Field(default=None, description="why it failed; None on success")
    plan: Plan
    outcomes: list[ActionOutcome] = Field(description="one per plan action, in plan order")
    failed_action_index: int | None = None
    final_state: RobotState
    final_world: World
    spoken: list[str] = Field(default_factory=list)
    sim_time_s: float
    ticks: int

    @classmethod
    def not_run(cls, plan: Plan, world: World, *, failure: str) -> ExecutionReport:
        """A run of ``plan`` that never started: every action ``not_run``, ``world`` as it was.

        Args:
            plan: the plan that was to run.
            world: the world (and its robot) the run would have started from.
            failure: why it did not run.
        """
        outcomes = [
            ActionOutcome(
                index=index,
                action_type=action.action_type,
                name=action.parameters.name if isinstance(action, CustomAction) else action.action_type.value,
            )
            for index, action in enumerate(plan.actions)
        ]
        return cls(
            success=False,
            failure=failure,
            plan=plan,
            outcomes=outcomes,
            final_state=world.robot,
            final_world=world,
            sim_time_s=0.0,
            ticks=0,
        )

    def succeeded_count(self) -> int:
        """How many of the plan's actions ran to success."""
        return sum(outcome.succeeded for outcome in self.outcomes)
