"""The nine action kinds and the typed parameters of each.

Units: metres, metres per second, seconds, degrees for ``turn.angle`` (positive turns
counter-clockwise, relative to the current heading), kilograms. Parameter models forbid unknown
keys, so a model that invents a parameter gets a validation error it can repair.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.core.geometry import Vec2, Vec3
from bt_planner.core.text import SafeTextModel


class ActionType(str, Enum):
    """What a plan step does. ``custom`` steps are resolved through the custom-action registry."""

    MOVE = "move"
    GRASP = "grasp"
    PLACE = "place"
    SPEAK = "speak"
    DETECT = "detect"
    NAVIGATE = "navigate"
    WAIT = "wait"
    TURN = "turn"
    CUSTOM = "custom"


class _Params(SafeTextModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MoveParams(_Params):
    """Drive the base straight to a point (world frame, metres), optionally at ``speed`` m/s."""

    x: float
    y: float
    z: float = 0.0
    speed: float | None = Field(default=None, gt=0, description="m/s")

    def target(self) -> Vec3:
        """The target point as a vector."""
        return Vec3(x=self.x, y=self.y, z=self.z)


class GraspParams(_Params):
    """Close the gripper on a known object."""

    object_id: str = Field(min_length=1)
    object_type: str | None = None


class PlaceParams(_Params):
    """Put the held object at a named location or at a point; ``orientation`` is a yaw in degrees."""

    location_name: str | None = None
    position: Vec3 | None = None
    orientation: float | None = Field(default=None, description="degrees")

    @model_validator(mode="after")
    def _one_target(self) -> PlaceParams:
        if (self.location_name is None) == (self.position is None):
            raise ValueError("place needs exactly one of location_name or position")
        return self


class SpeakParams(_Params):
    """Say a sentence through the robot's speaker."""

    message: str = Field(min_length=1, max_length=500)


class DetectParams(_Params):
    """Look for objects of a type, optionally only around a named location."""

    object_type: str = Field(min_length=1)
    search_area: str | None = None


class NavigateParams(_Params):
    """Go to a named location of the world."""

    location_name: str = Field(min_length=1)


class WaitParams(_Params):
    """Stay still for a number of seconds."""

    duration_seconds: float = Field(ge=0)


class TurnParams(_Params):
    """Turn in place by ``angle`` degrees, or to face ``direction_vector`` (world frame)."""

    angle: float | None = Field(default=None, description="degrees, positive is counter-clockwise")
    direction_vector: Vec2 | None = None

    @model_validator(mode="after")
    def _one_target(self) -> TurnParams:
        if (self.angle is None) == (self.direction_vector is None):
            raise ValueError("turn needs exactly one of angle or direction_vector")
        if self.direction_vector is not None and self.direction_vector.x == self.direction_vector.y == 0:
            raise ValueError("direction_vector must not be zero")
        return self


class CustomParams(SafeTextModel):
    """A registered custom action: ``name`` plus that action's own parameters (flattened)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    name: str = Field(min_length=1)

    @property
    def arguments(self) -> dict[str, Any]:
        """The custom action's parameters, without ``name``."""
        return dict(self.model_extra or {})


PARAMS_BY_TYPE: dict[ActionType, type[BaseModel]] = {
    ActionType.MOVE: MoveParams,
    ActionType.GRASP: GraspParams,
    ActionType.PLACE: PlaceParams,
    ActionType.SPEAK: SpeakParams,
    ActionType.DETECT: DetectParams,
    ActionType.NAVIGATE: NavigateParams,
    ActionType.WAIT: WaitParams,
    ActionType.TURN: TurnParams,
    ActionType.CUSTOM: CustomParams,
}
