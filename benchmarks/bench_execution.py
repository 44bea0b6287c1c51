"""Compile and simulated-execution cost of the shared 20-action plan, and of a whole oracle suite run.

Compile is ``compile_plan`` (plan -> guarded py_trees subtree). Execution ticks that tree against a
fresh ``SimulatedRobot`` on simulated time until it succeeds: alone (``execute_plan``), and as a
command through the mission tree (``MissionRunner`` with the plan given: what ``bt-planner run
--plan`` and the evaluation do per task, verification and the mission's own nodes included). The
suite row is ``bt-planner eval --oracle`` on the standard suite without the CLI: what one full
evaluation costs besides the model.
"""

from __future__ import annotations

import time

from benchmarks.rows import BenchRow, print_rows
from benchmarks.timing import median_ms
from benchmarks.workload import twenty_action_plan
from bt_planner.config import Settings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.evaluation.suite import load_suite
from bt_planner.evaluation.suite_runner import SuiteRunner


def run(*, quick: bool = False) -> list[BenchRow]:
    from bt_planner.execution import ExecutionReport, GivenPlanPlanner, MissionRunner, execute_plan
    from bt_planner.sim import SimulatedRobot
    from bt_planner.tree.compiler import compile_plan

    plan = twenty_action_plan()
    world = default_world()
    limits = SafetyLimits()
    compile_ms = median_ms(
        lambda: compile_plan(plan, robot=SimulatedRobot(world), world=world, limits=limits),
        repeat=20 if quick else 200,
    )

    def alone() -> ExecutionReport:
        return execute_plan(plan, robot=SimulatedRobot(world), world=world, limits=limits)

    def through_the_mission() -> ExecutionReport | None:
        planner = GivenPlanPlanner(plan, limits=limits)
        with MissionRunner(
            planner=planner, robot=SimulatedRobot(world), world=world, limits=limits
        ) as runner:
            return runner.run("the benchmark plan").last

    outcome = alone()
    if not outcome.success or through_the_mission() != outcome:
        raise RuntimeError(f"the benchmark plan did not run the same both ways: {outcome.failure}")
    repeat = 3 if quick else 20
    execute_ms = median_ms(alone, repeat=repeat, warmup=1)
    mission_ms = median_ms(through_the_mission, repeat=repeat, warmup=1)
    suite = load_suite("standard")
    started = time.perf_counter()
    report = SuiteRunner(settings=Settings(), oracle=True).run(suite)
    suite_s = time.perf_counter() - started
    return [
        BenchRow(name="compile 20-action plan (median)", value=compile_ms, unit="ms", note="compile_plan"),
        BenchRow(
            name="execute 20-action plan in the simulator (median)",
            value=execute_ms,
            unit="ms",
            note=f"{outcome.sim_time_s:.0f} s simulated at 10 Hz ticks",
        ),
        BenchRow(
            name="same, as a command through the mission tree (median)",
            value=mission_ms,
            unit="ms",
            note="MissionRunner + GivenPlanPlanner: verify, mission nodes, belief",
        ),
        BenchRow(
            name=f"oracle eval, standard suite ({len(report.results)} tasks)",
            value=suite_s,
            unit="s",
            target="success 100%",
            met=report.summary.success_rate == 1.0,
            note=f"success {100 * report.summary.success_rate:.0f}%, verify + simulate every reference plan",
        ),
    ]


if __name__ == "__main__":
    print_rows(run(), title="Compile and execution")
