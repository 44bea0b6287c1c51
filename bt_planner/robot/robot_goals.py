"""Goals a leaf sends to the robot, one active at a time (like ROS action goals).

Each goal maps onto standard ROS messages: ``DriveGoal`` and ``TurnGoal`` are a
``geometry_msgs/PoseStamped`` (yaw as a quaternion), the others travel as JSON in a
``std_msgs/String`` (``goal.model_dump_json()``). Units: metres, metres per second, radians.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.core.geometry import Vec2, Vec3


class _Goal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DriveGoal(_Goal):
    """Drive the base to ``(x, y)`` in the world frame; ``speed_mps`` caps the speed (None: robot's own)."""

    kind: Literal["drive"] = "drive"
    x: float
    y: float
    speed_mps: float | None = Field(default=None, gt=0)


class TurnGoal(_Goal):
    """Turn in place until the base faces ``yaw`` (radians, world frame, counter-clockwise from +x)."""

    kind: Literal["turn"] = "turn"
    yaw: float


class GraspGoal(_Goal):
    """Close the gripper on a known object; it must be within reach."""

    kind: Literal["grasp"] = "grasp"
    object_id: str = Field(min_length=1)


class PlaceGoal(_Goal):
    """Put the held object down at a named location, at a point, or both (the point wins).

    ``yaw`` is the object's final heading in radians (None: keep the robot's heading).
    """

    kind: Literal["place"] = "place"
    location_name: str | None = None
    position: Vec3 | None = None
    yaw: float | None = None

    @model_validator(mode="after")
    def _has_target(self) -> PlaceGoal:
        if self.location_name is None and self.position is None:
            raise ValueError("a place goal needs a location_name or a position")
        return self


class SpeakGoal(_Goal):
    """Say a sentence; the goal succeeds when the robot has finished speaking."""

    kind: Literal["speak"] = "speak"
    message: str = Field(min_length=1)


class DetectGoal(_Goal):
    """Look for objects of ``object_type``, optionally only within ``radius_m`` of ``near``.

    Only what the robot can see counts (its own perception range). ``radius_m`` None: the
    robot's default search radius around ``near``.
    """

    kind: Literal["detect"] = "detect"
    object_type: str = Field(min_length=1)
    near: Vec2 | None = None
    radius_m: float | None = Field(default=None, gt=0)


Goal = Annotated[
    DriveGoal | TurnGoal | GraspGoal | PlaceGoal | SpeakGoal | DetectGoal,
    Field(discriminator="kind"),
]
"""Any goal; ``kind`` tells them apart on the wire."""
