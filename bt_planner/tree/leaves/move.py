"""``Move``: walk straight to a point."""

from bt_planner.plans.actions import ActionType, MoveParams
from bt_planner.robot.robot_goals import DriveGoal, Goal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Move(GoalLeaf[MoveParams], register=False):
    """Drive the base to ``(params.x, params.y)``, at most at ``params.speed`` m/s if given.

    Lifecycle: ``initialise`` sends a ``DriveGoal``; ``update`` is RUNNING with the remaining
    distance, SUCCESS on arrival, FAILURE with the robot's reason; ``terminate(INVALID)`` cancels
    the drive and the robot stops.
    """

    action_type = ActionType.MOVE
    params_model = MoveParams

    def goal(self) -> Goal:
        return DriveGoal(x=self.params.x, y=self.params.y, speed_mps=self.params.speed)
