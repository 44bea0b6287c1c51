"""Runs an accepted plan on the simulated humanoid and keeps what the evaluation needs.

The executor and the simulator are imported when a plan first runs, so loading and scoring
suites does not pull in py_trees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.evaluation.end_state import EndState
from bt_planner.evaluation.execution_outcome import ExecutionOutcome
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan

if TYPE_CHECKING:
    from bt_planner.execution import ExecutionReport


def outcome_from_report(report: ExecutionReport) -> ExecutionOutcome:
    """The executor's report reduced to counts, the failure and the end state."""
    return ExecutionOutcome(
        success=report.success,
        actions_total=len(report.plan.actions),
        actions_succeeded=report.succeeded_count(),
        failure=report.failure,
        end=EndState(robot=report.final_state, world=report.final_world, spoken=list(report.spoken)),
        sim_time_s=report.sim_time_s,
    )


def run_in_simulator(
    plan: Plan,
    *,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None,
    tick_period_s: float,
    max_sim_time_s: float,
) -> ExecutionOutcome:
    """Tick ``plan`` against a fresh ``SimulatedRobot`` in ``world`` on simulated time."""
    from bt_planner.execution import execute_plan
    from bt_planner.sim import SimulatedRobot

    report = execute_plan(
        plan,
        robot=SimulatedRobot(world),
        world=world,
        limits=limits,
        custom_actions=custom_actions,
        tick_period_s=tick_period_s,
        max_sim_time_s=max_sim_time_s,
    )
    return outcome_from_report(report)
