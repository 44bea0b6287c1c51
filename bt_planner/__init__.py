"""bt_planner: command → typed plan (LLM) → verified → py_trees behaviour tree → robot.

Importing this package loads neither rclpy, the OpenAI SDK nor llama.cpp: those are adapters
at the edge, imported when a backend or ROS node is built.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from bt_planner.config import Settings
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.planning.result import PlanResult
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Action, Plan

try:
    __version__ = version("bt_planner")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Action",
    "ActionType",
    "CustomActionRegistry",
    "ExecutionFeedback",
    "GripperState",
    "IssueCode",
    "LLMActionPlanner",
    "Plan",
    "PlanIssue",
    "PlanResult",
    "RobotState",
    "SafetyLimits",
    "Settings",
    "Severity",
    "World",
    "__version__",
    "default_world",
]
