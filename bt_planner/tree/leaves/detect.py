"""``Detect``: look for objects of a type and publish what was seen on ``/detections``."""

from typing import Any

from py_trees.common import Access

from bt_planner.errors import ActionRefused
from bt_planner.plans.actions import ActionType, DetectParams
from bt_planner.robot.goal_status import GoalStatus
from bt_planner.robot.robot_goals import DetectGoal, Goal
from bt_planner.tree import keys
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Detect(GoalLeaf[DetectParams], register=False):
    """Detect ``params.object_type``, around ``params.search_area`` if given.

    Blackboard: writes ``/detections`` (``list[Detection]``, nearest first) on success.

    Lifecycle: ``initialise`` sends a ``DetectGoal`` (centred on the search area's position, fails
    at once for an unknown area); ``update`` is RUNNING while looking, SUCCESS when at least one
    object was seen (and writes ``/detections``), FAILURE when nothing was (the robot's message
    says where it looked); ``terminate(INVALID)`` cancels the search.
    """

    action_type = ActionType.DETECT
    params_model = DetectParams

    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.blackboard = self.attach_blackboard_client(name=self.name)
        self.blackboard.register_key(key=keys.DETECTIONS, access=Access.WRITE)

    def goal(self) -> Goal:
        area = self.params.search_area
        if area is None:
            return DetectGoal(object_type=self.params.object_type)
        location = self.world.locations.get(area)
        if location is None:
            known = ", ".join(sorted(self.world.locations)) or "none"
            raise ActionRefused(f"unknown search area {area!r} (known: {known})")
        return DetectGoal(object_type=self.params.object_type, near=location.position.xy())

    def on_success(self, status: GoalStatus) -> None:
        self.blackboard.set(keys.DETECTIONS, list(status.detections))
