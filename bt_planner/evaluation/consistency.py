"""Static checks of a loaded suite: every name a task uses exists in that task's world.

Reference plans and reference goal lists are already validated against their models when the
suite loads; this adds what the models cannot know: that plan, reference-goal and goal-condition
names exist in the task's world (objects, locations, and for ``find`` goals object types), and that
a ``not_in_world`` reference goal does not name something the world in fact has.
"""

from __future__ import annotations

from bt_planner.core.world import World
from bt_planner.evaluation.goal_conditions import Holding, ObjectAt, RobotAt
from bt_planner.evaluation.hallucination import unknown_names
from bt_planner.evaluation.suite import LoadedSuite
from bt_planner.evaluation.task import Task
from bt_planner.plans.task_goals import NotInWorldGoal


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


def _as_id(name: str) -> str:
    return "_".join(name.casefold().split())


def _reference_goal_problems(task: Task, world: World) -> list[str]:
    if task.reference_goals is None:
        return []
    wire = task.reference_goals.to_wire()["goals"]
    problems = [f"reference goals name unknown {thing}" for thing in unknown_names(wire, world)]
    names = {_as_id(n): n for n in (*world.locations, *world.objects)}
    for index, goal in enumerate(task.reference_goals.goals):
        if isinstance(goal, NotInWorldGoal) and _as_id(goal.name) in names:
            problems.append(
                f"reference goal {index} says {goal.name!r} is not in the world, "
                f"but the world has {names[_as_id(goal.name)]!r}"
            )
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
        found += _reference_goal_problems(task, world)
        problems += [f"{task.id}: {problem}" for problem in found]
    return problems


def tasks_without_reference_goals(loaded: LoadedSuite) -> list[str]:
    """The ids of the tasks that have no ``reference_goals`` (the goal-mode oracle cannot answer them)."""
    return [task.id for task in loaded.suite.tasks if task.reference_goals is None]
