"""One task's plan and run: the command through the mission tree on the simulated humanoid.

Evaluation takes the path ``bt-planner run`` and the ROS node take (``MissionRunner`` ticking the
``Mission``: plan, verify against the belief, execute) with ``max_replans=0``, so each task gets
one plan and one run and the scores measure the planner, not the recovery loop.

The executor and the simulator are imported when a plan first runs, so loading and scoring
suites does not pull in py_trees.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bt_planner.config import ExecutionSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult
from bt_planner.plans.custom_actions import CustomActionRegistry

if TYPE_CHECKING:
    from bt_planner.execution import ExecutionReport
    from bt_planner.tree.mission import CommandPlanner


def plan_and_run(
    planner: CommandPlanner,
    command: str,
    *,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None,
    tick_period_s: float,
    max_sim_time_s: float,
) -> tuple[PlanResult, ExecutionReport | None]:
    """Plan ``command`` in ``world`` once and run the plan once on a fresh ``SimulatedRobot``.

    Returns the planner's answer and the run: None when the answer had no plan. An accepted plan
    that never started (the mission rejected it, or it could not be compiled) is reported as a
    run that failed before its first action. A run that raises is reported failed, with the error.

    Raises:
        RuntimeError: the mission ended without asking the planner (nothing to score).
    """
    from bt_planner.execution import ExecutionReport, MissionRunner
    from bt_planner.sim import SimulatedRobot

    settings = ExecutionSettings(max_replans=0, tick_period_s=tick_period_s)
    with MissionRunner(
        planner=planner,
        robot=SimulatedRobot(world),
        world=world,
        limits=limits,
        settings=settings,
        custom_actions=custom_actions,
    ) as runner:
        run = runner.run(command, max_sim_time_s=max_sim_time_s)
    if not run.plan_results:
        raise RuntimeError(f"the mission never asked the planner for {command!r}: {run.status.reason}")
    result = run.plan_results[0]
    if result.plan is None:
        return result, None
    if run.last is not None:
        return result, run.last
    return result, ExecutionReport.not_run(result.plan, world, failure=run.status.reason or "it did not run")
