"""What the robot reports about itself: pose, battery, gripper, joints, current task.

Units: metres and radians for the pose, percent for the battery, radians for joint positions,
seconds since the Unix epoch for ``timestamp`` (or simulation seconds when a simulator owns time).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.geometry import Pose


class GripperState(str, Enum):
    """The gripper: open, closed on nothing, or holding an object."""

    OPEN = "open"
    CLOSED = "closed"
    HOLDING = "holding"


class RobotState(BaseModel):
    """A snapshot of the robot. Immutable: producers publish a new snapshot instead of mutating."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pose: Pose = Pose()
    battery_percent: float = Field(default=100.0, ge=0, le=100)
    gripper: GripperState = GripperState.OPEN
    holding: str | None = Field(default=None, description="id of the held object")
    joints: dict[str, float] = Field(default_factory=dict, description="joint name -> position (rad)")
    current_task: str | None = None
    timestamp: float = 0.0
