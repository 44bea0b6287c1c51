"""The oracle backend: answers with a task's reference answer, so ``--oracle`` runs the real pipeline
(prompt, parse, validate, goal expansion, verify, execute) with a perfect planner in place of a model.

It is the library's own test double, ``FunctionBackend``, with a function that reads which answer
the request asks for: a request for a goal list (``schema_name == "goal_list"``, goal mode) gets the
task's reference goals, any other request its reference plan.
"""

from __future__ import annotations

from typing import Any

from bt_planner.backends.testing import FunctionBackend
from bt_planner.errors import BackendError
from bt_planner.evaluation.task import Task
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.goal_prompt import GOAL_SCHEMA_NAME
from bt_planner.llm.harm_check import HARM_CHECK_SCHEMA_NAME
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList, RefuseGoal


def reference_answer(request: ChatRequest, *, plan: Plan, goals: GoalList | None) -> dict[str, Any]:
    """The wire-form answer to ``request``: ``goals`` for a goal-list request, else ``plan``.

    The harm check (goal mode) is answered ``harmful`` exactly when the reference goals refuse.

    Raises:
        BackendError: a goal-list request and no reference goals (the task is scored as a failed call).
    """
    if request.schema_name == HARM_CHECK_SCHEMA_NAME:  # harmful exactly when the reference goals refuse
        return {"harmful": goals is not None and any(isinstance(goal, RefuseGoal) for goal in goals.goals)}
    if request.schema_name != GOAL_SCHEMA_NAME:
        return plan.to_wire()
    if goals is None:
        raise BackendError("the oracle has no reference goals for this task (add reference_goals)")
    return goals.to_wire()


class ReferencePlanBackend(FunctionBackend):
    """A ``ChatBackend`` that answers with one fixed reference plan, or in goal mode fixed goals.

    No tokens, no network. ``for_task`` builds one from a suite task's reference answers.

    Args:
        plan: the answer to an action-plan request.
        goals: the answer to a goal-list request; without them such a request raises ``BackendError``.
    """

    name = "oracle"

    def __init__(self, plan: Plan, goals: GoalList | None = None) -> None:
        super().__init__(lambda request: reference_answer(request, plan=plan, goals=goals), model="reference")

    @classmethod
    def for_task(cls, task: Task) -> ReferencePlanBackend:
        """The oracle of one task: its ``reference_plan`` and ``reference_goals``."""
        return cls(task.reference_plan, task.reference_goals)
