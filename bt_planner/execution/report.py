"""``ExecutionReport``: everything a finished simulated run tells you, for tests, the CLI and evaluation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import Plan
from bt_planner.tree.action_outcome import ActionOutcome


class ExecutionReport(BaseModel):
    """One plan run against the simulator. Times are simulated seconds."""

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

    def succeeded_count(self) -> int:
        return sum(outcome.succeeded for outcome in self.outcomes)
