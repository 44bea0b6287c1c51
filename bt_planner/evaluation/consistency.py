"""Static checks of a loaded suite: every name a task uses exists in that task's world.

Reference plans are already validated against the plan model when the suite loads; this adds
what the model cannot know: that plan and goal names exist in the task's world.
"""

from __future__ import annotations

from bt_planner.core.world import World
from bt_planner.evaluation.goal_conditions import Holding, ObjectAt, RobotAt
from bt_planner.evaluation.hallucination import unknown_names
from bt_planner.evaluation.suite import LoadedSuite
from bt_planner.evaluation.task import Task


def _goal_problems(task: Task, world: World) -> list[str]:
    problems = []
    for goal in task.goals:
        if (
            isinstance(goal, (ObjectAt, Holding))
            and goal.object is not None
            and goal.object not in world.objects
        ):
            problems.append(f"goal {goal.kind} names unknown object {goal.object!r}")
        if (
            isinstance(goal, (ObjectAt, RobotAt))
            and goal.location is not None
            and goal.location not in world.locations
        ):
            problems.append(f"goal {goal.kind} names unknown location {goal.location!r}")
    return problems


def suite_problems(loaded: LoadedSuite) -> list[str]:
    """One line per problem, prefixed with the task id; empty when the suite is consistent."""
    problems: list[str] = []
    for task in loaded.suite.tasks:
        world = loaded.world_for(task)
        found = [
            f"reference plan names unknown {thing}"
            for thing in unknown_names(task.reference_plan.to_wire()["actions"], world)
        ]
        found += _goal_problems(task, world)
        problems += [f"{task.id}: {problem}" for problem in found]
    return problems
