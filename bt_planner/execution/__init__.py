"""Running plans and commands against the simulator, deterministically.

``execute_plan`` ticks one compiled plan (no verification, no mission) -> ``ExecutionReport``.
``MissionRunner`` takes a command through the mission tree (plan, verify, execute, re-plan from
the belief) -> ``CommandReport``, with one ``ExecutionReport`` per plan that ran.
``GivenPlanPlanner`` answers the mission with a ready-made plan instead of a model.
"""

from bt_planner.execution.command_report import CommandReport
from bt_planner.execution.given_plan import GivenPlanPlanner
from bt_planner.execution.mission_run import MissionRunner, TickListener
from bt_planner.execution.report import ExecutionReport
from bt_planner.execution.sim_run import execute_plan
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus

__all__ = [
    "ActionOutcome",
    "ActionStatus",
    "CommandReport",
    "ExecutionReport",
    "GivenPlanPlanner",
    "MissionRunner",
    "TickListener",
    "execute_plan",
]
