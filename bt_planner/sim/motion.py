"""Planar kinematics of the simulated base: turn toward a heading, walk toward a point, bump into obstacles."""

from __future__ import annotations

import math

from bt_planner.core.geometry import wrap_angle
from bt_planner.core.world import Obstacle


def turn_toward(yaw: float, target: float, *, max_step: float) -> float:
    """``yaw`` rotated toward ``target`` by at most ``max_step`` radians, the short way round."""
    error = wrap_angle(target - yaw)
    if abs(error) <= max_step:
        return wrap_angle(target)
    return wrap_angle(yaw + math.copysign(max_step, error))


def walk_toward(x: float, y: float, tx: float, ty: float, *, max_step: float) -> tuple[float, float, float]:
    """Position after walking up to ``max_step`` metres toward ``(tx, ty)``, and the distance walked."""
    dx, dy = tx - x, ty - y
    distance = math.hypot(dx, dy)
    if distance <= max_step:
        return tx, ty, distance
    scale = max_step / distance
    return x + dx * scale, y + dy * scale, max_step


def first_contact(x: float, y: float, obstacles: dict[str, Obstacle], *, robot_radius: float) -> str | None:
    """The id of an obstacle the footprint at ``(x, y)`` overlaps, if any."""
    for name, obstacle in obstacles.items():
        if math.hypot(x - obstacle.center.x, y - obstacle.center.y) < obstacle.radius + robot_radius:
            return name
    return None
