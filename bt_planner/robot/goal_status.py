"""What the robot says about its current goal: state, progress, a message, and detections."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.geometry import Vec3


class GoalState(str, Enum):
    """Lifecycle of one goal, as an action server reports it."""

    IDLE = "idle"
    """No goal has been sent yet (or the robot forgot it)."""
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Detection(BaseModel):
    """One object perceived by a detect goal (world frame, metres)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    object_id: str
    object_type: str
    position: Vec3
    distance_m: float = Field(ge=0, description="planar distance from the robot when seen")
    confidence: float = Field(default=1.0, ge=0, le=1)


class GoalStatus(BaseModel):
    """Status of the most recent goal. ``goal_id`` is what ``send_goal`` returned (0: none yet)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    goal_id: int = 0
    kind: str | None = None
    state: GoalState = GoalState.IDLE
    progress: float = Field(default=0.0, ge=0, le=1)
    message: str = ""
    detections: tuple[Detection, ...] = ()
