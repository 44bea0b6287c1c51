"""The JSON carried in ``std_msgs/String`` topics, as pydantic models (one per payload).

Pure Python: tests, viewers and non-ROS tools parse these without rclpy. Every model ignores unknown keys
on input (``extra="ignore"``), so a newer publisher does not break an older subscriber.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from bt_planner.core.state import GripperState
from bt_planner.robot.goal_status import Detection
from bt_planner.robot.robot_goals import Goal
from bt_planner.tree.mission import ApprovalRequest


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PlannerStatus(str, Enum):
    """``planner_status`` values. Each command ends in exactly one of SUCCEEDED, FAILED, CANCELLED,
    PLANNING_FAILED (no safe plan, or refused while the e-stop is engaged) or REJECTED (never planned:
    empty, too long, or the command queue was full; or its plan was rejected by an operator, or nobody
    approved it in time). AWAITING_APPROVAL: a verified plan waits for an operator (approval_requests)."""

    RECEIVED_COMMAND = "RECEIVED_COMMAND"
    PLANNING_STARTED = "PLANNING_STARTED"
    PLANNING_SUCCESS = "PLANNING_SUCCESS"
    PLANNING_FAILED = "PLANNING_FAILED"
    EXECUTING = "EXECUTING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"

    @property
    def terminal(self) -> bool:
        return self in _TERMINAL


_TERMINAL = frozenset(
    {
        PlannerStatus.PLANNING_FAILED,
        PlannerStatus.SUCCEEDED,
        PlannerStatus.FAILED,
        PlannerStatus.CANCELLED,
        PlannerStatus.REJECTED,
    }
)


class StatusMessage(_Payload):
    """``planner_status``: what the planner is doing about ``command``, and why (``details``)."""

    status: PlannerStatus
    timestamp: float = Field(description="seconds since the Unix epoch")
    details: str = ""
    command: str | None = None


class FeedbackMessage(_Payload):
    """``planner_feedback``: progress of the running plan, published when it changes."""

    timestamp: float
    command: str | None = None
    attempt: int = 1
    action_index: int | None = None
    action_count: int = 0
    action: str | None = Field(default=None, description="name of the running action's subtree")
    message: str = ""


class ApprovalRequestsMessage(_Payload):
    """``approval_requests``: every plan waiting for an operator, oldest first (empty: none waits)."""

    timestamp: float = Field(description="seconds since the Unix epoch")
    pending: tuple[ApprovalRequest, ...] = ()


class GripperReading(_Payload):
    """``gripper_state``: open / closed / holding, and the held object's id."""

    state: GripperState
    holding: str | None = None


class DetectionsMessage(_Payload):
    """``detections``: what perception saw on its latest look, world frame."""

    timestamp: float
    detections: tuple[Detection, ...] = ()


class GoalRequest(_Payload):
    """``manipulation`` / ``speech``: start ``goal`` under ``goal_id`` (pre-empting the robot's current goal)."""

    op: Literal["goal"] = "goal"
    goal_id: int = Field(gt=0)
    goal: Goal


class CancelRequest(_Payload):
    """``manipulation``: cancel ``goal_id`` (0: whatever goal is running) and stop moving."""

    op: Literal["cancel"] = "cancel"
    goal_id: int = Field(default=0, ge=0)


RobotRequest = Annotated[GoalRequest | CancelRequest, Field(discriminator="op")]
"""Anything published on ``manipulation`` or ``speech``."""

_ROBOT_REQUEST: TypeAdapter[GoalRequest | CancelRequest] = TypeAdapter(RobotRequest)


def parse_robot_request(text: str | bytes) -> GoalRequest | CancelRequest:
    """Parse a ``manipulation`` / ``speech`` message; raises ``pydantic.ValidationError`` if malformed."""
    return _ROBOT_REQUEST.validate_json(text)
