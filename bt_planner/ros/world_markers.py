"""``world_markers``: the world belief and the current plan as a latched ``visualization_msgs/MarkerArray``.

One marker per world entity, by namespace: ``locations`` (blue discs), ``objects`` (cubes in the object's
colour), ``obstacles`` (grey cylinders), ``forbidden_zones`` (red translucent discs, or closed outlines for
polygons); ``labels`` names each of them. The current plan adds ``plan_path`` (one line strip from the
robot through every step's target) and ``plan_targets`` (one sphere per step with a target; the running
step is larger and yellow, finished steps green, the rest white). Frame ``map`` (the simulator's odometry
frame), metres. Open ``launch/bt_planner.rviz`` in RViz to see it.

Every publication is the whole picture, led by a DELETEALL marker, so a late RViz gets the current state at
once (transient local, depth 1) and nothing stale stays on screen. It is republished only when the world,
the plan or the running step changed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

from geometry_msgs.msg import Point
from rclpy.node import Node
from std_msgs.msg import ColorRGBA
from visualization_msgs.msg import Marker, MarkerArray

from bt_planner.core.geometry import Vec3
from bt_planner.core.world import CircleZone, World
from bt_planner.plans.plan import Plan
from bt_planner.ros import plan_messages, qos, topics

FRAME_ID = "map"
ENTITY_NAMESPACES = ("locations", "objects", "obstacles", "forbidden_zones")
"""Namespaces with exactly one marker per world entity."""

_COLOURS: dict[str, tuple[float, float, float]] = {
    "red": (0.9, 0.1, 0.1),
    "green": (0.1, 0.7, 0.2),
    "blue": (0.1, 0.3, 0.9),
    "yellow": (0.95, 0.85, 0.1),
    "orange": (1.0, 0.5, 0.0),
    "purple": (0.6, 0.2, 0.8),
    "white": (0.95, 0.95, 0.95),
    "black": (0.1, 0.1, 0.1),
}
_DEFAULT_OBJECT = (0.8, 0.7, 0.5)


def _rgba(rgb: tuple[float, float, float], alpha: float = 1.0) -> ColorRGBA:
    return ColorRGBA(r=rgb[0], g=rgb[1], b=rgb[2], a=alpha)


def _point(x: float, y: float, z: float = 0.0) -> Point:
    return Point(x=float(x), y=float(y), z=float(z))


class _Builder:
    """Collects markers with ids unique per namespace."""

    def __init__(self) -> None:
        self.markers: list[Marker] = [Marker(action=Marker.DELETEALL)]
        self._ids: dict[str, int] = {}

    def add(self, ns: str, kind: int, *, rgba: ColorRGBA, at: Point | None = None) -> Marker:
        marker = Marker()
        marker.header.frame_id = FRAME_ID
        marker.ns = ns
        marker.id = self._ids.get(ns, 0)
        self._ids[ns] = marker.id + 1
        marker.type = kind
        marker.action = Marker.ADD
        marker.color = rgba
        marker.pose.orientation.w = 1.0
        if at is not None:
            marker.pose.position = at
        self.markers.append(marker)
        return marker

    def label(self, text: str, at: Point) -> None:
        marker = self.add(
            "labels", Marker.TEXT_VIEW_FACING, rgba=_rgba((1.0, 1.0, 1.0)), at=_point(at.x, at.y, at.z + 0.35)
        )
        marker.scale.z = 0.18
        marker.text = plan_messages.text(text, max_chars=80)


def _object_position(world: World, object_id: str) -> Vec3 | None:
    obj = world.objects[object_id]
    if obj.position is not None:
        return obj.position
    location = world.locations.get(obj.location or "")
    return location.position if location is not None else None


def _world_markers(world: World, builder: _Builder) -> None:
    for name, location in world.locations.items():
        p = location.position
        disc = builder.add(
            "locations", Marker.CYLINDER, rgba=_rgba((0.2, 0.4, 1.0), 0.5), at=_point(p.x, p.y)
        )
        disc.scale.x = disc.scale.y = 0.6
        disc.scale.z = 0.02
        builder.label(name, disc.pose.position)
    for object_id, obj in world.objects.items():
        position = _object_position(world, object_id)
        colour = _COLOURS.get((obj.color or "").lower(), _DEFAULT_OBJECT)
        cube = builder.add("objects", Marker.CUBE, rgba=_rgba(colour))
        if position is None:  # an object on an unknown location: drawn, but hidden
            cube.color.a = 0.0
        else:
            cube.pose.position = _point(position.x, position.y, position.z + 0.05)
        cube.scale.x = cube.scale.y = cube.scale.z = 0.1
        builder.label(object_id, cube.pose.position)
    for name, obstacle in world.obstacles.items():
        c = obstacle.center
        pillar = builder.add(
            "obstacles", Marker.CYLINDER, rgba=_rgba((0.5, 0.5, 0.5), 0.9), at=_point(c.x, c.y, 0.25)
        )
        pillar.scale.x = pillar.scale.y = 2.0 * obstacle.radius
        pillar.scale.z = 0.5
        builder.label(name, pillar.pose.position)
    for name, zone in world.forbidden_zones.items():
        red = _rgba((1.0, 0.0, 0.0), 0.35)
        if isinstance(zone, CircleZone):
            disc = builder.add(
                "forbidden_zones", Marker.CYLINDER, rgba=red, at=_point(zone.center.x, zone.center.y)
            )
            disc.scale.x = disc.scale.y = 2.0 * zone.radius
            disc.scale.z = 0.01
            builder.label(name, disc.pose.position)
        else:
            outline = builder.add("forbidden_zones", Marker.LINE_STRIP, rgba=_rgba((1.0, 0.0, 0.0), 0.9))
            outline.scale.x = 0.04
            outline.points = [_point(v.x, v.y, 0.01) for v in [*zone.vertices, zone.vertices[0]]]
            cx = sum(v.x for v in zone.vertices) / len(zone.vertices)
            cy = sum(v.y for v in zone.vertices) / len(zone.vertices)
            builder.label(name, _point(cx, cy))


def _targets(plan: Plan, world: World) -> Iterator[tuple[int, Point]]:
    msg = plan_messages.plan_to_msg(plan, world=world)
    for index, step in enumerate(msg.steps):
        if step.has_target:
            yield index, step.target


def _plan_markers(plan: Plan, world: World, running_index: int, builder: _Builder) -> None:
    robot = world.robot.pose.position()
    path = builder.add("plan_path", Marker.LINE_STRIP, rgba=_rgba((0.1, 0.9, 0.9), 0.9))
    path.scale.x = 0.03
    path.points = [_point(robot.x, robot.y, 0.02)]
    for index, target in _targets(plan, world):
        path.points.append(_point(target.x, target.y, 0.02))
        if index == running_index:
            rgba, size = _rgba((1.0, 0.9, 0.0)), 0.3
        elif running_index >= 0 and index < running_index:
            rgba, size = _rgba((0.2, 0.8, 0.2), 0.8), 0.15
        else:
            rgba, size = _rgba((0.95, 0.95, 0.95), 0.8), 0.15
        sphere = builder.add("plan_targets", Marker.SPHERE, rgba=rgba, at=_point(target.x, target.y, 0.1))
        sphere.scale.x = sphere.scale.y = sphere.scale.z = size
        sphere.text = f"step {index}"


def build_markers(world: World, plan: Plan | None = None, *, running_index: int = -1) -> MarkerArray:
    """The marker array of ``world`` and, if given, ``plan`` with step ``running_index`` highlighted."""
    builder = _Builder()
    _world_markers(world, builder)
    if plan is not None and plan.actions:
        _plan_markers(plan, world, running_index, builder)
    return MarkerArray(markers=builder.markers)


class WorldMarkers:
    """Publishes ``world_markers`` (latched) when the world, the plan or the running step changes.

    A change of the plan or of the running step goes out at once; world-only changes (an object carried
    along with the robot) at most every ``min_period_s``. The robot's own motion alone publishes nothing.
    """

    def __init__(self, node: Node, *, min_period_s: float = 0.5) -> None:
        self.min_period_s = min_period_s
        self._publisher = node.create_publisher(
            MarkerArray, topics.WORLD_MARKERS.name, qos.for_topic(topics.WORLD_MARKERS)
        )
        self._plan_key: tuple[Plan | None, int] | None = None
        self._world_key: tuple[object, ...] | None = None
        self._published_at = -math.inf

    def update(self, world: World, plan: Plan | None, *, running_index: int = -1) -> bool:
        """Publish if anything changed since the last publication (see above); True if it published."""
        plan_key = (plan, running_index)
        world_key = (world.locations, world.objects, world.obstacles, world.forbidden_zones)
        now = time.monotonic()
        if plan_key == self._plan_key and (
            world_key == self._world_key or now - self._published_at < self.min_period_s
        ):
            return False
        self._plan_key, self._world_key, self._published_at = plan_key, world_key, now
        self._publisher.publish(build_markers(world, plan, running_index=running_index))
        return True
