"""Small geometric value types shared by plans, world models and robot state.

Units: metres for lengths, radians for ``Pose.yaw`` (the ROS convention). Every vector also
accepts a plain ``[x, y, z]`` list so world files stay short.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _coerce_sequence(value: Any, names: tuple[str, ...]) -> Any:
    if isinstance(value, (list, tuple)):
        if not 2 <= len(value) <= len(names):
            raise ValueError(f"expected {len(names)} numbers, got {len(value)}")
        return dict(zip(names, value, strict=False))
    return value


class Vec2(BaseModel):
    """A point or direction in the ground plane, metres."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: float
    y: float

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        return _coerce_sequence(value, ("x", "y"))


class Vec3(BaseModel):
    """A point in the world frame, metres. ``z`` is height above the floor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: float
    y: float
    z: float = 0.0

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        return _coerce_sequence(value, ("x", "y", "z"))

    def xy(self) -> Vec2:
        return Vec2(x=self.x, y=self.y)

    def planar_distance(self, other: Vec3 | Vec2) -> float:
        """Distance on the floor plane; the base moves in 2D."""
        return math.hypot(self.x - other.x, self.y - other.y)

    def distance(self, other: Vec3) -> float:
        return math.dist((self.x, self.y, self.z), (other.x, other.y, other.z))


class Pose(BaseModel):
    """Robot base pose: position in metres, heading ``yaw`` in radians (counter-clockwise from +x)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: float = 0.0
    y: float = 0.0
    z: float = 0.0
    yaw: float = 0.0

    def position(self) -> Vec3:
        return Vec3(x=self.x, y=self.y, z=self.z)


Point = tuple[float, float]
"""A planar point as a plain tuple (x, y), metres: the fast form the geometry checks use."""


def point_segment_distance(p: Point, a: Point, b: Point) -> float:
    """Shortest distance from ``p`` to the segment ``a``-``b`` (metres)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    length_sq = dx * dx + dy * dy
    if length_sq == 0.0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length_sq))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def wrap_angle(angle: float) -> float:
    """The same angle in radians, in ``(-pi, pi]``."""
    wrapped = math.atan2(math.sin(angle), math.cos(angle))
    return math.pi if wrapped == -math.pi else wrapped


def wrap_degrees(angle: float) -> float:
    """The same angle in degrees, in ``(-180, 180]``."""
    wrapped = (angle + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 else wrapped
