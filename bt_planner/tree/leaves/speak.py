"""``Speak``: say a sentence, screened again at tick time before anything is published."""

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.text import safe_text
from bt_planner.errors import ActionRefused
from bt_planner.plans.actions import ActionType, SpeakParams
from bt_planner.robot.robot_goals import Goal, SpeakGoal
from bt_planner.tree.leaves.action_leaf import GoalLeaf
from bt_planner.verification.rules import speech_rule
from bt_planner.verification.text_screen import TextClassifier


class Speak(GoalLeaf[SpeakParams], register=False):
    """Say ``params.message``.

    ``limits`` (set by the compiler; default ``SafetyLimits()``) and ``classifier`` screen the
    message once more when the leaf starts, with the same rule as verification, so a plan that
    reached the tree by another path (XML, a custom planner) still cannot speak a listed word.

    Lifecycle: ``initialise`` screens the message (a refusal fails the leaf, nothing is sent) and
    sends a ``SpeakGoal`` with text safe to publish; ``update`` is RUNNING while speaking, SUCCESS
    when done, FAILURE with the robot's reason or the refusal; ``terminate(INVALID)`` cancels the
    speech.
    """

    action_type = ActionType.SPEAK
    params_model = SpeakParams
    limits: SafetyLimits = SafetyLimits()
    classifier: TextClassifier | None = None

    def start(self) -> None:
        issue = speech_rule(message=self.params.message, limits=self.limits, classifier=self.classifier)
        if issue is not None:
            raise ActionRefused(f"not spoken: {issue.message} [{issue.rule}]")
        super().start()

    def goal(self) -> Goal:
        return SpeakGoal(message=safe_text(self.params.message))
