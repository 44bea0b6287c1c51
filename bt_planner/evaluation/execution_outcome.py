"""What the evaluation needs from one simulated run, independent of the executor's own report type."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.evaluation.end_state import EndState


class ExecutionOutcome(BaseModel):
    """How many of the plan's actions ran to success, why the run stopped, and how it ended."""

    model_config = ConfigDict(frozen=True)

    success: bool
    actions_total: int = Field(ge=0)
    actions_succeeded: int = Field(ge=0)
    failure: str | None = None
    end: EndState
    sim_time_s: float = 0.0
