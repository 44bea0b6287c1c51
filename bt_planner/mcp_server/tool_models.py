"""What the MCP tools return: pydantic models, from which the tools' output schemas are generated.

States use the names of ``MissionState`` in capitals (``SUCCEEDED``, ``CANCELLED``, ...), like the
ROS node's ``planner_status``. Every refusal carries the reason in words and, when verification
refused, the issues with their rule codes and numbers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.journal import JournalCommand, JournalEvent
from bt_planner.plans.plan import Plan
from bt_planner.tree.action_outcome import ActionOutcome

RunState = Literal[
    "PENDING",
    "PLANNING",
    "AWAITING_APPROVAL",
    "EXECUTING",
    "REPLANNING",
    "SUCCEEDED",
    "FAILED",
    "REJECTED",
    "CANCELLED",
]
"""Where a run is; the last four are terminal."""

TERMINAL_RUN_STATES: frozenset[str] = frozenset({"SUCCEEDED", "FAILED", "REJECTED", "CANCELLED"})


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class WorldView(_Answer):
    """The world the server plans and verifies against, and the limits every plan must respect."""

    world: World = Field(description="the belief: the world file corrected by what the robot saw and did")
    limits: SafetyLimits = Field(description="the server's safety limits (configuration, never arguments)")
    backend: Literal["simulator", "ros"] = Field(
        default="simulator", description="simulator: in this process; ros: the planner node's belief"
    )


class RobotView(_Answer):
    """The robot now: state, e-stop, and the run it is busy with."""

    state: RobotState
    estop_engaged: bool
    active_run_id: str | None = None
    sim_time_s: float = Field(
        description="the robot's clock: simulated seconds (simulator); seconds since the server started (ros)"
    )
    goals_sent: int = Field(
        default=0, description="actuator goals sent to the robot since the server started"
    )


class PlanAnswer(_Answer):
    """A plan and its verdict. ``plan_id`` is what ``execute`` takes; it is set whenever ``plan`` is."""

    plan_id: str | None = None
    verified: bool = Field(description="true when verification found no error: execute will consider it")
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list, description="errors reject; warnings are reported")
    command: str = ""
    mode: Literal["actions", "goals"] = "actions"
    llm_calls: int = 0


class ExecuteAnswer(_Answer):
    """Whether execution started. Refused: ``reason`` says why, ``issues`` carry rules and numbers."""

    accepted: bool
    run_id: str | None = None
    plan_id: str | None = None
    reason: str = ""
    rule: str | None = Field(
        default=None, description="which check refused: verification, stale, estop, busy"
    )
    issues: list[PlanIssue] = Field(default_factory=list)


class ApprovalView(_Answer):
    """A run's approval: what is waiting (``pending``) or how it was decided, and where to answer."""

    request_id: str
    pending: bool
    reasons: list[str] = Field(default_factory=list, description="why the plan needs approval")
    seconds_left: float = Field(default=0.0, description="wall seconds until no answer rejects it")
    approved: bool | None = Field(default=None, description="the decision; None while pending")
    by: str | None = None
    via: str | None = Field(default=None, description="mcp, viewer, cli, timeout, mission")
    reason: str = ""
    answer_via: str = Field(
        default="", description="who may answer: the approve/reject tools, or only another front end"
    )


class ApprovalAnswer(_Answer):
    """What ``approve`` or ``reject`` did."""

    run_id: str
    request_id: str
    approved: bool
    by: str
    via: str = "mcp"
    message: str


class RunStatus(_Answer):
    """One run: its state, why, and how far its plan got."""

    run_id: str
    state: RunState
    command: str
    plan_id: str | None = None
    reason: str = ""
    attempt: int = 0
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list)
    outcomes: list[ActionOutcome] = Field(default_factory=list)
    action_index: int | None = Field(default=None, description="the action running now")
    sim_time_s: float = Field(default=0.0, description="simulated seconds since the run started")
    terminal: bool = False
    approval: ApprovalView | None = Field(default=None, description="set once the run's plan needed approval")


class StopAnswer(_Answer):
    """What ``cancel``, ``estop`` or ``release`` did."""

    estop_engaged: bool
    run_id: str | None = Field(default=None, description="the run that was stopped, if one was active")
    message: str


class JournalEntry(_Answer):
    """One journalled command and its events, in order."""

    command: JournalCommand
    events: list[JournalEvent]


class JournalView(_Answer):
    """The journal resource: the newest commands of the server's journal file."""

    path: str
    commands: list[JournalEntry]
