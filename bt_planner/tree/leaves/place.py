"""``Place``: put the held object down at a location or a point."""

import math

from bt_planner.plans.actions import ActionType, PlaceParams
from bt_planner.robot.robot_goals import Goal, PlaceGoal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Place(GoalLeaf[PlaceParams], register=False):
    """Place the held object at ``params.location_name`` or ``params.position``.

    Lifecycle: ``initialise`` sends a ``PlaceGoal`` (orientation converted to radians); ``update``
    is RUNNING while placing, SUCCESS when the object is down, FAILURE with the robot's reason
    (nothing held, too far); ``terminate(INVALID)`` cancels the place.
    """

    action_type = ActionType.PLACE
    params_model = PlaceParams

    def goal(self) -> Goal:
        orientation = self.params.orientation
        return PlaceGoal(
            location_name=self.params.location_name,
            position=self.params.position,
            yaw=math.radians(orientation) if orientation is not None else None,
        )
