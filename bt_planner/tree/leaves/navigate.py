"""``Navigate``: walk to a named location of the world."""

from bt_planner.errors import ActionRefused
from bt_planner.plans.actions import ActionType, NavigateParams
from bt_planner.robot.robot_goals import DriveGoal, Goal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Navigate(GoalLeaf[NavigateParams], register=False):
    """Drive the base to ``params.location_name``'s position.

    Lifecycle: ``initialise`` looks the location up in the world and sends a ``DriveGoal`` (fails at
    once for an unknown name); ``update`` is RUNNING with the remaining distance, SUCCESS on arrival,
    FAILURE with the robot's reason (blocked, battery empty, ...); ``terminate(INVALID)`` cancels
    the drive and the robot stops.
    """

    action_type = ActionType.NAVIGATE
    params_model = NavigateParams

    def goal(self) -> Goal:
        location = self.world.locations.get(self.params.location_name)
        if location is None:
            known = ", ".join(sorted(self.world.locations)) or "none"
            raise ActionRefused(f"unknown location {self.params.location_name!r} (known: {known})")
        return DriveGoal(x=location.position.x, y=location.position.y)
