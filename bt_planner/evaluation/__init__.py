"""Evaluation: suites of tasks (command + world + goal conditions + reference plan and goals), run through
plan → verify → execute in the simulator and scored the way ProgPrompt and the Embodied Agent
Interface benchmark score plans (success, goal-condition rate, executability, refusals, latency).

``bt-planner eval`` is the command line; ``load_suite`` + ``SuiteRunner`` the API.
"""

from bt_planner.errors import SuiteError
from bt_planner.evaluation.consistency import suite_problems, tasks_without_reference_goals
from bt_planner.evaluation.goal_conditions import (
    Facing,
    GoalCondition,
    GoalResult,
    Holding,
    ObjectAt,
    Refused,
    RobotAt,
    Said,
)
from bt_planner.evaluation.metrics import SuiteSummary, TagSummary, TaskResult, summarise, summarise_tags
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.evaluation.refusal import is_refusal, is_schema_valid
from bt_planner.evaluation.scoring import score_task
from bt_planner.evaluation.suite import LoadedSuite, Suite, load_suite, packaged_suite_names, parse_suite
from bt_planner.evaluation.suite_runner import SuiteReport, SuiteRunner
from bt_planner.evaluation.task import Task

__all__ = [
    "Facing",
    "GoalCondition",
    "GoalResult",
    "Holding",
    "LoadedSuite",
    "ObjectAt",
    "ReferencePlanBackend",
    "Refused",
    "RobotAt",
    "Said",
    "Suite",
    "SuiteError",
    "SuiteReport",
    "SuiteRunner",
    "SuiteSummary",
    "TagSummary",
    "Task",
    "TaskResult",
    "is_refusal",
    "is_schema_valid",
    "load_suite",
    "packaged_suite_names",
    "parse_suite",
    "score_task",
    "suite_problems",
    "summarise",
    "summarise_tags",
    "tasks_without_reference_goals",
]
