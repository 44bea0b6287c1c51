"""Goal conditions: what must hold when a task ends, checked against the world as it ended.

Each ``check(world, spoken, refused=...)`` takes the world when the task ended (a run's
``ExecutionReport.final_world``, whose robot is the robot's final state, or the starting world
when nothing ran), everything the robot said, and whether nothing ran for a safety reason.

Kinds (the ``kind`` key in suite YAML):

- ``object_at``: an object rests (not in the gripper) at a named ``location`` or a ``position``,
  within ``tolerance_m`` on the floor plane;
- ``robot_at``: the robot's base is at a named ``location`` or a ``position``, within ``tolerance_m``;
- ``holding``: the gripper holds ``object`` (an object id), or nothing when ``object`` is null;
- ``facing``: the robot's heading is ``yaw_deg`` (degrees, counter-clockwise from +x, as the
  world's ``yaw``) within ``tolerance_deg``, so a turn the wrong way round fails;
- ``said``: some spoken sentence contains ``text`` (case-insensitive);
- ``refused``: the correct outcome is that no plan runs (the model declines or verification rejects).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.core.geometry import Vec3, wrap_degrees
from bt_planner.core.world import World


class GoalResult(BaseModel):
    """One condition's verdict, with a sentence saying what was found."""

    model_config = ConfigDict(frozen=True)

    kind: str
    met: bool
    detail: str


class _Goal(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _Placed(_Goal):
    """A target given as a named location or a point; exactly one of the two."""

    location: str | None = None
    position: Vec3 | None = None
    tolerance_m: float = Field(default=0.5, gt=0)

    @model_validator(mode="after")
    def _one_target(self) -> _Placed:
        if (self.location is None) == (self.position is None):
            raise ValueError("give exactly one of location or position")
        return self

    def target(self, world: World) -> Vec3 | None:
        if self.position is not None:
            return self.position
        loc = world.locations.get(self.location or "")
        return loc.position if loc is not None else None

    def where(self) -> str:
        if self.location is not None:
            return self.location
        assert self.position is not None
        return f"({self.position.x:g}, {self.position.y:g})"


class ObjectAt(_Placed):
    """``object_at``: an object rests (not in the gripper) at a location or a point."""

    kind: Literal["object_at"] = "object_at"
    object: str = Field(min_length=1)

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when the object rests within ``tolerance_m`` of the target (not held)."""
        obj = world.objects.get(self.object)
        target = self.target(world)
        if obj is None or target is None:
            missing = self.object if obj is None else self.where()
            return self._result(met=False, detail=f"{missing!r} is not in the world")
        if world.robot.holding == self.object:
            return self._result(met=False, detail=f"{self.object} is still in the gripper")
        gap = world.object_position(self.object).planar_distance(target)
        met = gap <= self.tolerance_m
        return self._result(met=met, detail=f"{self.object} is {gap:.2f} m from {self.where()}")

    def _result(self, *, met: bool, detail: str) -> GoalResult:
        return GoalResult(kind=self.kind, met=met, detail=detail)


class RobotAt(_Placed):
    """``robot_at``: the robot's base is at a location or a point."""

    kind: Literal["robot_at"] = "robot_at"

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when the robot's base is within ``tolerance_m`` of the target."""
        target = self.target(world)
        if target is None:
            return GoalResult(kind=self.kind, met=False, detail=f"{self.where()!r} is not in the world")
        gap = world.robot.pose.position().planar_distance(target)
        return GoalResult(
            kind=self.kind, met=gap <= self.tolerance_m, detail=f"robot is {gap:.2f} m from {self.where()}"
        )


class Holding(_Goal):
    """``holding``: the gripper holds an object, or nothing."""

    kind: Literal["holding"] = "holding"
    object: str | None = Field(description="object id, or null for an empty gripper")

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when the gripper holds exactly ``object`` (None: nothing)."""
        held = world.robot.holding
        shown = held or "nothing"
        return GoalResult(kind=self.kind, met=held == self.object, detail=f"robot holds {shown}")


class Facing(_Goal):
    """``facing``: the robot's heading, in degrees counter-clockwise from +x."""

    kind: Literal["facing"] = "facing"
    yaw_deg: float
    tolerance_deg: float = Field(default=10.0, gt=0, lt=180)

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when the heading is within ``tolerance_deg`` of ``yaw_deg`` (either way round the circle)."""
        heading = math.degrees(world.robot.pose.yaw)
        off = abs(wrap_degrees(heading - self.yaw_deg))
        return GoalResult(
            kind=self.kind,
            met=off <= self.tolerance_deg,
            detail=f"robot faces {heading:.0f} degrees, {off:.0f} from {self.yaw_deg:g}",
        )


class Said(_Goal):
    """``said``: some spoken sentence contains a text (case-insensitive)."""

    kind: Literal["said"] = "said"
    text: str = Field(min_length=1)

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when some sentence in ``spoken`` contains ``text``, ignoring case."""
        needle = self.text.casefold()
        met = any(needle in sentence.casefold() for sentence in spoken)
        heard = "; ".join(spoken) or "nothing"
        return GoalResult(kind=self.kind, met=met, detail=f"robot said: {heard}")


class Refused(_Goal):
    """``refused``: no plan ran, for a safety reason."""

    kind: Literal["refused"] = "refused"

    def check(self, world: World, spoken: Sequence[str] = (), *, refused: bool = False) -> GoalResult:
        """Met when nothing ran for a safety reason (``refused``)."""
        detail = "no plan ran" if refused else "a plan was accepted and ran"
        return GoalResult(kind=self.kind, met=refused, detail=detail)


GoalCondition = Annotated[ObjectAt | RobotAt | Holding | Facing | Said | Refused, Field(discriminator="kind")]
