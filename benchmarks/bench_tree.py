"""Tick cost of a compiled 50-action plan versus bare py_trees, and the compile time of that plan.

Both trees have the same shape, a ``Sequence(memory=True)`` of 50 slots, each two decorators deep
around a leaf, and are driven for a whole run in which every action takes ``TICKS_PER_ACTION``
ticks:

* compiled: ``ActionTimeout -> SafetyGuard -> action leaf`` against an in-memory robot whose
  goals finish after that many steps (so only tree and guard cost is measured, not the simulator);
* bare: ``PassThrough -> PassThrough -> TickCounter`` from py_trees itself.

Cost per tick is the whole run's wall time over its tick count. Runs are interleaved (compiled,
bare, compiled, ...) and the ratio is the median of the paired ratios, so a busy machine skews
both sides alike.
Run: ``python -m benchmarks.bench_tree [--quick]``.
"""

from __future__ import annotations

import statistics
import sys
import time
from itertools import cycle, islice

import py_trees

from benchmarks.rows import BenchRow, print_rows
from benchmarks.timing import median_ms
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import default_world
from bt_planner.plans.plan import Plan
from bt_planner.robot import Goal, GoalState, GoalStatus
from bt_planner.tree import compile_plan, keys

ACTIONS = 50
TICKS_PER_ACTION = 5
TARGET_RATIO = 1.5


class InstantRobot:
    """A ``RobotInterface`` in memory: each goal runs for ``ticks`` calls of ``step``, then succeeds."""

    def __init__(self, ticks: int) -> None:
        self.ticks = ticks
        self._state = RobotState(battery_percent=90.0)
        self._status = GoalStatus()
        self._left = 0
        self._now = 0.0

    def send_goal(self, goal: Goal) -> int:
        self._left = self.ticks
        self._status = GoalStatus(goal_id=self._status.goal_id + 1, kind=goal.kind, state=GoalState.RUNNING)
        return self._status.goal_id

    def goal_status(self) -> GoalStatus:
        return self._status

    def cancel(self) -> None:
        self._status = self._status.model_copy(update={"state": GoalState.CANCELLED})

    def state(self) -> RobotState:
        return self._state

    def now(self) -> float:
        return self._now

    def state_age_s(self) -> float:
        return 0.0

    def step(self) -> None:
        self._now += 0.1
        if self._status.state is GoalState.RUNNING:
            self._left -= 1
            if self._left <= 0:
                self._status = self._status.model_copy(update={"state": GoalState.SUCCEEDED, "progress": 1.0})


def fifty_action_plan() -> Plan:
    """50 robot-goal actions that cycle through every built-in kind that sends a goal."""

    def step(kind: str, **params: object) -> dict[str, object]:
        return {"action_type": kind, "parameters": params, "estimated_duration": 3.0}

    kinds = [
        step("navigate", location_name="kitchen"),
        step("detect", object_type="cup", search_area="kitchen"),
        step("grasp", object_id="red_cup"),
        step("navigate", location_name="table"),
        step("place", location_name="table"),
        step("turn", angle=90.0),
        step("speak", message="Step done."),
        step("move", x=1.0, y=1.0),
    ]
    return Plan.model_validate({"actions": list(islice(cycle(kinds), ACTIONS))})


def bare_tree() -> py_trees.trees.BehaviourTree:
    slots = [
        py_trees.decorators.PassThrough(
            name=f"#{i} outer",
            child=py_trees.decorators.PassThrough(
                name=f"#{i} inner",
                child=py_trees.behaviours.TickCounter(
                    name=f"#{i} leaf",
                    duration=TICKS_PER_ACTION,
                    completion_status=py_trees.common.Status.SUCCESS,
                ),
            ),
        )
        for i in range(ACTIONS)
    ]
    return py_trees.trees.BehaviourTree(
        py_trees.composites.Sequence(name="plan", memory=True, children=slots)
    )


def flat_tree() -> py_trees.trees.BehaviourTree:
    """For reference: the same leaves with no decorators at all."""
    leaves = [
        py_trees.behaviours.TickCounter(
            name=f"#{i} leaf", duration=TICKS_PER_ACTION, completion_status=py_trees.common.Status.SUCCESS
        )
        for i in range(ACTIONS)
    ]
    return py_trees.trees.BehaviourTree(
        py_trees.composites.Sequence(name="plan", memory=True, children=leaves)
    )


def _run_us_per_tick(tree: py_trees.trees.BehaviourTree, step: object = None) -> float:
    """Tick ``tree`` until it ends; wall microseconds per tick."""
    ticks = 0
    started = time.perf_counter()
    while True:
        tree.tick()
        ticks += 1
        if tree.root.status != py_trees.common.Status.RUNNING:
            break
        if step is not None:
            step()  # type: ignore[operator]
    elapsed = time.perf_counter() - started
    if tree.root.status != py_trees.common.Status.SUCCESS:
        raise RuntimeError(f"benchmark tree ended {tree.root.status}")
    return elapsed / ticks * 1e6


def compiled_run_us() -> float:
    world = default_world()
    robot = InstantRobot(TICKS_PER_ACTION)
    compiled = compile_plan(fifty_action_plan(), robot=robot, world=world, limits=SafetyLimits())
    keys.init_robot_keys()
    return _run_us_per_tick(py_trees.trees.BehaviourTree(compiled.root), robot.step)


def bare_run_us() -> float:
    return _run_us_per_tick(bare_tree())


def run(*, quick: bool = False) -> list[BenchRow]:
    repeat = 5 if quick else 25
    samples = [(compiled_run_us(), bare_run_us(), _run_us_per_tick(flat_tree())) for _ in range(repeat)]
    compiled_us = statistics.median(c for c, _, _ in samples)
    bare_us = statistics.median(b for _, b, _ in samples)
    flat_us = statistics.median(f for _, _, f in samples)
    ratio = statistics.median(c / b for c, b, _ in samples)  # paired runs: robust to load changes
    world = default_world()
    plan = fifty_action_plan()
    robot = InstantRobot(TICKS_PER_ACTION)
    compile_ms = median_ms(
        lambda: compile_plan(plan, robot=robot, world=world, limits=SafetyLimits()), repeat=repeat * 4
    )
    return [
        BenchRow(
            name=f"tick cost, compiled {ACTIONS}-action tree / bare py_trees (median)",
            value=ratio,
            unit="x",
            target=f"<= {TARGET_RATIO}x",
            met=ratio <= TARGET_RATIO,
            note=f"same shape; whole run, {TICKS_PER_ACTION} ticks per action; guards check 5 rules every tick",
        ),
        BenchRow(name="  compiled tree, per tick", value=compiled_us, unit="us"),
        BenchRow(name="  bare py_trees tree, per tick", value=bare_us, unit="us"),
        BenchRow(
            name="  reference: bare leaves, no decorators, per tick",
            value=flat_us,
            unit="us",
            note=f"compiled is {compiled_us / flat_us:.2f}x this",
        ),
        BenchRow(
            name=f"compile a {ACTIONS}-action plan (median)",
            value=compile_ms,
            unit="ms",
            note="leaves, guards and timeouts; no target in the issue",
        ),
    ]


if __name__ == "__main__":
    print_rows(run(quick="--quick" in sys.argv), title="Behaviour tree")
