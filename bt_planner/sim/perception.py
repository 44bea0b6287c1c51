"""What the simulated camera sees: objects of a type within range of the robot (and of a search point)."""

from __future__ import annotations

import math

from bt_planner.core.geometry import Vec2, Vec3
from bt_planner.robot.goal_status import Detection


def matches(object_id: str, object_type: str, wanted: str) -> bool:
    """A detect goal names a type (``"cup"``) or, leniently, an object id (``"red_cup"``)."""
    wanted = wanted.strip().lower()
    return wanted in (object_type.lower(), object_id.lower())


def detect(
    *,
    robot_xy: Vec2,
    objects: dict[str, tuple[str, Vec3]],
    wanted: str,
    range_m: float,
    near: Vec2 | None = None,
    radius_m: float | None = None,
) -> list[Detection]:
    """Objects (id -> (type, position)) matching ``wanted``, in range, nearest first."""
    found: list[Detection] = []
    for object_id, (object_type, position) in objects.items():
        if not matches(object_id, object_type, wanted):
            continue
        distance = math.hypot(position.x - robot_xy.x, position.y - robot_xy.y)
        if distance > range_m:
            continue
        if near is not None and math.hypot(position.x - near.x, position.y - near.y) > (radius_m or range_m):
            continue
        found.append(
            Detection(object_id=object_id, object_type=object_type, position=position, distance_m=distance)
        )
    return sorted(found, key=lambda d: (d.distance_m, d.object_id))
