"""The mission's world belief: the world file, corrected by what the robot saw and did.

A robot's planner has no ground truth. It starts from the world file and keeps a belief: objects a
detect saw are where they were seen, the held object travels with the robot, and an object the
robot placed is where it was put. Every function here is pure: it returns a new ``World`` (frozen
models are copied, never mutated) and leaves locations, obstacles and zones as they are.

Objects are updated only when the belief already knows their id: a detection of an unknown id is
ignored, so the vocabulary a plan may name stays the world file's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bt_planner.core.geometry import Vec3
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, WorldObject
from bt_planner.plans.plan import GraspAction, PlaceAction, Plan
from bt_planner.robot.goal_status import Detection
from bt_planner.tree.action_outcome import ActionOutcome


def _moved(obj: WorldObject, *, position: Vec3 | None = None, location: str | None = None) -> WorldObject:
    return obj.model_copy(update={"position": position, "location": location})


def apply_detections(world: World, detections: Iterable[Detection]) -> World:
    """Objects seen are at their detected position (their ``location`` is cleared).

    A detection of an id the belief does not know is ignored. When one id is seen twice, the
    first detection wins (``/detections`` is nearest first, and the nearest sighting is the best).
    """
    objects = dict(world.objects)
    seen: set[str] = set()
    for detection in detections:
        obj = objects.get(detection.object_id)
        if obj is None or detection.object_id in seen:
            continue
        seen.add(detection.object_id)
        objects[detection.object_id] = _moved(obj, position=detection.position)
    if not seen:
        return world
    return world.model_copy(update={"objects": objects})


def apply_robot_state(world: World, state: RobotState) -> World:
    """Take ``state`` as the belief's robot; the object it holds (if known) travels with it.

    ``state.holding`` is authoritative: the held object is put at the robot's planar position
    (keeping its last known height), with no ``location``. An object that was held before and is
    not any more stays where the robot last carried it, until a place or a detection says better.
    """
    update: dict[str, object] = {"robot": state}
    held = state.holding
    obj = world.objects.get(held) if held is not None else None
    if held is not None and obj is not None:
        height = obj.position.z if obj.position is not None else world.object_position(held).z
        position = state.pose.position().model_copy(update={"z": height})
        update["objects"] = {**world.objects, held: _moved(obj, position=position)}
    return world.model_copy(update=update)


def apply_grasp(world: World, object_id: str) -> World:
    """The robot now holds ``object_id`` (an unknown id is ignored). It stays where it was grasped
    until the robot state is applied (``apply_robot_state`` carries it)."""
    if object_id not in world.objects:
        return world
    robot = world.robot.model_copy(update={"holding": object_id, "gripper": GripperState.HOLDING})
    return world.model_copy(update={"robot": robot})


def apply_place(world: World, action: PlaceAction) -> World:
    """The held object is now at the place's location (``location`` set) or position.

    Nothing changes when the belief does not know what is held.
    """
    held = world.robot.holding
    obj = world.objects.get(held) if held is not None else None
    if held is None or obj is None:
        return world
    params = action.parameters
    if params.location_name is not None and params.location_name in world.locations:
        placed = _moved(obj, location=params.location_name)
    elif params.position is not None:
        placed = _moved(obj, position=params.position)
    else:  # an unknown location: the object is somewhere near the robot; keep the last estimate
        placed = obj
    robot = world.robot.model_copy(update={"holding": None, "gripper": GripperState.OPEN})
    return world.model_copy(update={"robot": robot, "objects": {**world.objects, held: placed}})


def apply_executed(world: World, plan: Plan, outcomes: Sequence[ActionOutcome]) -> World:
    """Replay the grasp and place effects of the succeeded ``outcomes`` of ``plan``, in plan order.

    ``outcomes`` may be all of a run's outcomes or only some (e.g. those finished since the last
    call); each is matched to its action by ``outcome.index``. Failed, cancelled and not-run
    actions have no effect; other action types change nothing here (detections are applied with
    ``apply_detections``, the robot's pose with ``apply_robot_state``).
    """
    for outcome in sorted(outcomes, key=lambda o: o.index):
        if not outcome.succeeded or not 0 <= outcome.index < len(plan.actions):
            continue
        action = plan.actions[outcome.index]
        if isinstance(action, GraspAction):
            world = apply_grasp(world, action.parameters.object_id)
        elif isinstance(action, PlaceAction):
            world = apply_place(world, action)
    return world
