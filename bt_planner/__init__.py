"""bt_planner: command → typed plan (LLM) → verified → py_trees behaviour tree → robot.

Importing this package loads neither rclpy, the OpenAI SDK nor llama.cpp: those are adapters
at the edge, imported when a backend or ROS node is built.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from bt_planner.actions import ActionType
from bt_planner.config import Settings
from bt_planner.custom_actions import CustomActionRegistry
from bt_planner.feedback import ExecutionFeedback
from bt_planner.issues import IssueCode, PlanIssue, Severity
from bt_planner.plan import Action, Plan
from bt_planner.planner import LLMActionPlanner
from bt_planner.result import PlanResult
from bt_planner.safety_limits import SafetyLimits
from bt_planner.state import GripperState, RobotState
from bt_planner.world import World, default_world

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
