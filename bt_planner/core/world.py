"""The known world: named locations, objects, obstacles and forbidden zones, loaded from YAML.

Everything the planner may name comes from here: location names and object ids become the enums
of the per-request JSON schema, so a model cannot name what does not exist.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.core.geometry import Vec2, Vec3
from bt_planner.core.state import RobotState


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """A named place the robot can navigate to; ``position`` is where the base stops."""

    position: Vec3
    description: str = ""


class WorldObject(_Frozen):
    """An object the robot may perceive or manipulate. Give ``position`` or a named ``location``."""

    type: str
    color: str | None = None
    position: Vec3 | None = None
    location: str | None = None
    weight_kg: float | None = Field(default=None, ge=0)
    graspable: bool = True

    @model_validator(mode="after")
    def _placed(self) -> WorldObject:
        if self.position is None and self.location is None:
            raise ValueError("an object needs a position or a location")
        return self


class Obstacle(_Frozen):
    """A round obstacle on the floor (a cylinder seen from above)."""

    center: Vec2
    radius: float = Field(gt=0)


class CircleZone(_Frozen):
    """A round area the robot must never enter."""

    shape: Literal["circle"] = "circle"
    center: Vec2
    radius: float = Field(gt=0)


class PolygonZone(_Frozen):
    """A polygonal area the robot must never enter (vertices in order, metres)."""

    shape: Literal["polygon"] = "polygon"
    vertices: list[Vec2] = Field(min_length=3)


ForbiddenZone = Annotated[CircleZone | PolygonZone, Field(discriminator="shape")]


class World(_Frozen):
    """A world file: where things are, what must be avoided, and where the robot starts."""

    name: str = "world"
    locations: dict[str, Location] = Field(default_factory=dict)
    objects: dict[str, WorldObject] = Field(default_factory=dict)
    obstacles: dict[str, Obstacle] = Field(default_factory=dict)
    forbidden_zones: dict[str, ForbiddenZone] = Field(default_factory=dict)
    robot: RobotState = RobotState()

    @model_validator(mode="after")
    def _references_resolve(self) -> World:
        for object_id, obj in self.objects.items():
            if obj.location is not None and obj.location not in self.locations:
                raise ValueError(f"object {object_id!r} is at unknown location {obj.location!r}")
        return self

    def object_position(self, object_id: str) -> Vec3:
        """Where an object is; a location-placed object sits at that location's position."""
        obj = self.objects[object_id]
        if obj.position is not None:
            return obj.position
        assert obj.location is not None
        return self.locations[obj.location].position

    def names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Sorted location names and object ids: the vocabulary a plan may use."""
        return tuple(sorted(self.locations)), tuple(sorted(self.objects))

    @classmethod
    def from_yaml(cls, text: str) -> World:
        """A world from YAML text; ``ValidationError`` says which field is wrong."""
        data: Any = yaml.safe_load(text) or {}
        return cls.model_validate(data)

    @classmethod
    def load(cls, path: str | Path) -> World:
        """A world from a YAML file."""
        return cls.from_yaml(Path(path).read_text(encoding="utf-8"))

    def to_yaml(self) -> str:
        """This world as YAML that ``from_yaml`` reads back."""
        return yaml.safe_dump(self.model_dump(mode="json", exclude_none=True), sort_keys=False)


def packaged_world(name: str) -> World:
    """A world shipped with the package, e.g. ``"kitchen"`` (the default)."""
    resource = resources.files("bt_planner") / "data" / "worlds" / f"{name}.yaml"
    return World.from_yaml(resource.read_text(encoding="utf-8"))


def default_world() -> World:
    """The seed example: kitchen, table and a red cup; robot at the origin with 85% battery."""
    return packaged_world("kitchen")
