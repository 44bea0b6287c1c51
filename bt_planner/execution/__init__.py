"""Deterministic plan execution against the simulator: ``execute_plan`` -> ``ExecutionReport``."""

from bt_planner.execution.report import ExecutionReport
from bt_planner.execution.sim_run import execute_plan
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus

__all__ = ["ActionOutcome", "ActionStatus", "ExecutionReport", "execute_plan"]
