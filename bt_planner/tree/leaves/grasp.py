"""``Grasp``: close the gripper on a known object."""

from bt_planner.plans.actions import ActionType, GraspParams
from bt_planner.robot.robot_goals import Goal, GraspGoal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Grasp(GoalLeaf[GraspParams], register=False):
    """Grasp ``params.object_id``.

    Lifecycle: ``initialise`` sends a ``GraspGoal``; ``update`` is RUNNING while the hand closes,
    SUCCESS when holding the object, FAILURE with the robot's reason (out of reach, too heavy,
    closed on nothing); ``terminate(INVALID)`` cancels the grasp.
    """

    action_type = ActionType.GRASP
    params_model = GraspParams

    def goal(self) -> Goal:
        return GraspGoal(object_id=self.params.object_id)
