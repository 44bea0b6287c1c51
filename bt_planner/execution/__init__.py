"""Deterministic plan execution against the simulator: ``execute_plan`` -> ``ExecutionReport``."""

from bt_planner.execution.report import ExecutionReport
from bt_planner.execution.runner import execute_plan
from bt_planner.tree.outcome import ActionOutcome, ActionStatus

__all__ = ["ActionOutcome", "ActionStatus", "ExecutionReport", "execute_plan"]
