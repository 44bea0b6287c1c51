"""``Speak``: say a sentence."""

from bt_planner.plans.actions import ActionType, SpeakParams
from bt_planner.robot.robot_goals import Goal, SpeakGoal
from bt_planner.tree.leaves.action_leaf import GoalLeaf


class Speak(GoalLeaf[SpeakParams], register=False):
    """Say ``params.message``.

    Lifecycle: ``initialise`` sends a ``SpeakGoal``; ``update`` is RUNNING while speaking, SUCCESS
    when done, FAILURE with the robot's reason; ``terminate(INVALID)`` cancels the speech.
    """

    action_type = ActionType.SPEAK
    params_model = SpeakParams

    def goal(self) -> Goal:
        return SpeakGoal(message=self.params.message)
