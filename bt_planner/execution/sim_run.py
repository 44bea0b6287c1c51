"""``execute_plan``: compile a plan and tick it against the simulator until it ends. Deterministic.

Each tick is followed by one ``robot.step(tick_period_s)``; no wall-clock time is read unless a
``RealTimePacer`` is given (demos), and even then the simulated result is the same.
"""

from __future__ import annotations

from collections.abc import Callable

import py_trees
from py_trees.common import Status

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.execution.report import ExecutionReport
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.sim.realtime import RealTimePacer
from bt_planner.sim.simulated_robot import SimulatedRobot
from bt_planner.tree import keys
from bt_planner.tree.compiler import CompiledPlan, compile_plan
from bt_planner.tree.timeout_policy import TimeoutPolicy


def execute_plan(
    plan: Plan,
    *,
    robot: SimulatedRobot,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
    tick_period_s: float = 0.1,
    max_sim_time_s: float = 600.0,
    timeouts: TimeoutPolicy | None = None,
    pacer: RealTimePacer | None = None,
    on_tick: Callable[[CompiledPlan], None] | None = None,
) -> ExecutionReport:
    """Run ``plan`` on ``robot`` (already placed in ``world``) and report what happened.

    The plan is not verified here: verify it first (``bt_planner.verification.Verifier``). The run
    stops when the tree succeeds or fails, or after ``max_sim_time_s`` simulated seconds (then the
    running action is cancelled and the report says so). ``on_tick`` sees the tree after each tick.
    """
    if tick_period_s <= 0:
        raise ValueError(f"tick_period_s must be positive, got {tick_period_s}")
    compiled = compile_plan(
        plan, robot=robot, world=world, limits=limits, custom_actions=custom_actions, timeouts=timeouts
    )
    keys.init_robot_keys(estop=False)
    tree = py_trees.trees.BehaviourTree(compiled.root)
    tree.setup()
    started = robot.now()
    ticks = 0
    failure: str | None = None
    while True:
        tree.tick()
        ticks += 1
        if on_tick is not None:
            on_tick(compiled)
        if compiled.root.status != Status.RUNNING:
            break
        if robot.now() - started >= max_sim_time_s:
            compiled.root.stop(Status.INVALID)
            failure = f"stopped after {max_sim_time_s:g} s of simulated time (max_sim_time_s)"
            break
        if pacer is not None:
            pacer.wait()
        robot.step(tick_period_s)
    tree.shutdown()
    compiled.release()
    failed = compiled.failed_index()
    success = compiled.root.status == Status.SUCCESS
    if not success and failure is None:
        failure = compiled.leaves[failed].outcome.message if failed is not None else "the plan did not finish"
    return ExecutionReport(
        success=success,
        failure=failure,
        plan=plan,
        outcomes=compiled.outcomes(),
        failed_action_index=failed,
        final_state=robot.state(),
        final_world=robot.world_state(),
        spoken=list(robot.spoken),
        sim_time_s=robot.now() - started,
        ticks=ticks,
    )
