"""What happened to one plan action when it ran: status, message, and robot-clock start/end times."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from bt_planner.plans.actions import ActionType


class ActionStatus(str, Enum):
    NOT_RUN = "not_run"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class ActionOutcome(BaseModel):
    """One action's result. ``name`` is the action type, or the custom action's name."""

    model_config = ConfigDict(frozen=True)

    index: int
    action_type: ActionType
    name: str
    status: ActionStatus = ActionStatus.NOT_RUN
    message: str = ""
    started_at: float | None = None
    ended_at: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is ActionStatus.SUCCEEDED

    @property
    def duration_s(self) -> float | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.started_at
