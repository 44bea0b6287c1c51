"""Mission status: which command, in which state, why, and with which plan and action outcomes."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.config import ApprovalPolicy
from bt_planner.core.issues import PlanIssue
from bt_planner.plans.plan import Plan
from bt_planner.tree.action_outcome import ActionOutcome


class MissionState(str, Enum):
    """Where a command is. The last four are terminal: every command ends in exactly one of them."""

    WAITING = "waiting"
    PLANNING = "planning"
    AWAITING_APPROVAL = "awaiting_approval"
    EXECUTING = "executing"
    REPLANNING = "replanning"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset(
    {MissionState.SUCCEEDED, MissionState.FAILED, MissionState.REJECTED, MissionState.CANCELLED}
)

_PLANNER_STATUS = {
    MissionState.WAITING: "RECEIVED_COMMAND",
    MissionState.PLANNING: "PLANNING_STARTED",
    MissionState.AWAITING_APPROVAL: "AWAITING_APPROVAL",
    MissionState.REPLANNING: "PLANNING_STARTED",
    MissionState.EXECUTING: "EXECUTING",
    MissionState.SUCCEEDED: "SUCCEEDED",
    MissionState.FAILED: "FAILED",
    MissionState.REJECTED: "PLANNING_FAILED",
    MissionState.CANCELLED: "CANCELLED",
}


def planner_status_name(state: MissionState) -> str:
    """``state`` in the planner-status vocabulary: the ROS node's ``planner_status``, snapshots, MCP."""
    return _PLANNER_STATUS[state]


class CommandRequest(BaseModel):
    """A submitted command; ``id`` is unique within one ``Mission``.

    ``source`` names the entry point (``api``, ``cli``, ``ros-topic``, ``ros-action``, ``mcp``,
    ``replay``); ``approval`` is this command's own approval policy, added to the configured one.
    """

    model_config = ConfigDict(frozen=True)

    id: int = Field(ge=1)
    command: str
    source: str = "api"
    approval: ApprovalPolicy | None = None


class MissionStatus(BaseModel):
    """One status update of one command. ``attempt`` counts executions (1 + re-plans so far)."""

    model_config = ConfigDict(frozen=True)

    command_id: int = 0
    command: str = ""
    state: MissionState = MissionState.WAITING
    reason: str = Field(
        default="", description="why it failed, was rejected or cancelled; or what is going on"
    )
    attempt: int = 0
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list)
    outcomes: list[ActionOutcome] = Field(default_factory=list)
    failed_action_index: int | None = None
    time_s: float = Field(default=0.0, description="robot clock when this status was reported")

    @property
    def terminal(self) -> bool:
        return self.state.terminal
