"""``Turn``: rotate in place by an angle or to face a direction."""

import math

from bt_planner.plans.actions import ActionType, TurnParams
from bt_planner.robot.robot_goals import Goal, TurnGoal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Turn(GoalLeaf[TurnParams], register=False):
    """Turn by ``params.angle`` degrees (counter-clockwise, from the heading at start) or to face
    ``params.direction_vector``.

    Lifecycle: ``initialise`` reads the current heading and sends a ``TurnGoal`` to the absolute
    target yaw; ``update`` is RUNNING with the angle left, SUCCESS when facing it, FAILURE with the
    robot's reason; ``terminate(INVALID)`` cancels the turn.
    """

    action_type = ActionType.TURN
    params_model = TurnParams

    def goal(self) -> Goal:
        if self.params.direction_vector is not None:
            yaw = math.atan2(self.params.direction_vector.y, self.params.direction_vector.x)
        else:
            assert self.params.angle is not None
            yaw = self.robot.state().pose.yaw + math.radians(self.params.angle)
        return TurnGoal(yaw=math.atan2(math.sin(yaw), math.cos(yaw)))
