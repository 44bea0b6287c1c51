"""What a plan was verified against, kept so that ``execute`` can tell when it has gone stale.

A ``StateFingerprint`` is the part of the robot state and the world belief a verdict depends on:
the base pose, the battery, the gripper and what it holds, and where every object is. Numbers are
rounded (millimetres, tenths of a degree and of a percent) so that a robot standing still matches
itself; the battery counts as changed only from ``BATTERY_TOLERANCE_PERCENT`` on, because an idle
robot drains it too and ``execute`` verifies every plan again anyway. ``changes`` says, in words and
numbers, what differs between two fingerprints.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from bt_planner.core.state import RobotState
from bt_planner.core.world import World

BATTERY_TOLERANCE_PERCENT = 1.0
"""A battery change smaller than this (percentage points) does not make a plan stale."""


class ObjectPlace(BaseModel):
    """Where one object is believed to be (metres, world frame) and at which named location, if any."""

    model_config = ConfigDict(frozen=True)

    x: float
    y: float
    z: float
    location: str | None = None


class StateFingerprint(BaseModel):
    """The robot state and world belief a verification verdict holds for (rounded)."""

    model_config = ConfigDict(frozen=True)

    x: float
    y: float
    yaw_deg: float
    battery_percent: float
    gripper: str
    holding: str | None
    objects: dict[str, ObjectPlace]

    @classmethod
    def of(cls, state: RobotState, world: World) -> StateFingerprint:
        """The fingerprint of a robot in ``state`` in ``world`` (the belief the plan is verified against)."""
        objects = {}
        for object_id in sorted(world.objects):
            position = world.object_position(object_id)
            objects[object_id] = ObjectPlace(
                x=round(position.x, 3),
                y=round(position.y, 3),
                z=round(position.z, 3),
                location=world.objects[object_id].location,
            )
        return cls(
            x=round(state.pose.x, 3),
            y=round(state.pose.y, 3),
            yaw_deg=round(math.degrees(state.pose.yaw), 1),
            battery_percent=round(state.battery_percent, 1),
            gripper=state.gripper.value,
            holding=state.holding,
            objects=objects,
        )

    def changes(self, now: StateFingerprint) -> list[str]:
        """What differs from ``self`` (then) to ``now``, one phrase per change; empty when nothing did."""
        found: list[str] = []
        if (self.x, self.y) != (now.x, now.y):
            found.append(f"robot moved from ({self.x:.2f}, {self.y:.2f}) to ({now.x:.2f}, {now.y:.2f}) m")
        if self.yaw_deg != now.yaw_deg:
            found.append(f"robot turned from {self.yaw_deg:.1f} to {now.yaw_deg:.1f} degrees")
        if abs(self.battery_percent - now.battery_percent) >= BATTERY_TOLERANCE_PERCENT:
            found.append(f"battery went from {self.battery_percent:.1f} % to {now.battery_percent:.1f} %")
        if (self.gripper, self.holding) != (now.gripper, now.holding):
            found.append(
                f"gripper went from {self.gripper} ({self.holding or 'nothing'})"
                f" to {now.gripper} ({now.holding or 'nothing'})"
            )
        for object_id in sorted(set(self.objects) | set(now.objects)):
            before, after = self.objects.get(object_id), now.objects.get(object_id)
            if before == after:
                continue
            if before is None or after is None:
                found.append(f"object {object_id!r} {'appeared' if before is None else 'disappeared'}")
            else:
                found.append(
                    f"object {object_id!r} moved from ({before.x:.2f}, {before.y:.2f}, {before.z:.2f})"
                    f" to ({after.x:.2f}, {after.y:.2f}, {after.z:.2f}) m"
                )
        return found
