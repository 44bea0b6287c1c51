"""What journalling costs: on the tick-cost benchmark's tree, and on the pipeline-overhead call.

* Tick cost: the tick-cost benchmark's compiled 50-action plan (``bench_tree``), ticked as there,
  once bare and once with what ``ExecutePlan`` does per tick when a journal is attached: an
  ``ActionWatcher`` looks for changed action outcomes and every change is queued on a real
  ``Journal`` (a temporary SQLite file, WAL, ``synchronous=full``; its writer thread encodes and
  commits concurrently). Runs are paired and interleaved; the ratio is the median paired ratio.
* Pipeline: one ``LLMActionPlanner.plan`` call as in ``bench_pipeline`` (20-action plan, instant
  backend, cache off), once alone and once followed by queueing its ``planning_finished`` event
  (the whole ``PlanResult``) the way ``MissionJournal`` does; the difference of the medians is the
  tick thread's added cost. The durable row is timed too: queue, then wait for its commit.

Run: ``python -m benchmarks.bench_journal [--quick]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import py_trees

from benchmarks.bench_tree import TICKS_PER_ACTION, InstantRobot, fifty_action_plan
from benchmarks.rows import BenchRow, print_rows
from benchmarks.timing import median_ms
from benchmarks.workload import COMMAND, twenty_action_plan
from bt_planner.config import Settings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.journal import Journal
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.tree import compile_plan, keys
from bt_planner.tree.mission.action_watch import ActionWatcher

TICK_TARGET = 1.05
PIPELINE_TARGET_MS = 1.0


def _tick_run_us(journal: Journal | None, command_id: int) -> float:
    """One whole run of the 50-action plan; wall microseconds per tick."""
    world = default_world()
    robot = InstantRobot(TICKS_PER_ACTION)
    compiled = compile_plan(fifty_action_plan(), robot=robot, world=world, limits=SafetyLimits())
    keys.init_robot_keys()
    tree = py_trees.trees.BehaviourTree(compiled.root)
    watcher = ActionWatcher(compiled) if journal is not None else None
    ticks = 0
    started = time.perf_counter()
    while True:
        tree.tick()
        ticks += 1
        if watcher is not None and journal is not None:
            for outcome in watcher.changes():
                kind = "action_started" if outcome.status.value == "running" else "action_ended"
                journal.record(command_id, kind, {"outcome": outcome, "attempt": 1}, sim_time_s=robot.now())
        if tree.root.status != py_trees.common.Status.RUNNING:
            break
        robot.step()
    elapsed = time.perf_counter() - started
    if tree.root.status != py_trees.common.Status.SUCCESS:
        raise RuntimeError(f"benchmark tree ended {tree.root.status}")
    return elapsed / ticks * 1e6


def run(*, quick: bool = False) -> list[BenchRow]:
    repeat = 5 if quick else 25
    with tempfile.TemporaryDirectory() as folder, Journal.open(Path(folder) / "bench.db") as journal:
        command_id = journal.begin_command("benchmark", source="benchmark")
        pairs = []
        for _ in range(repeat):
            bare = _tick_run_us(None, command_id)
            journalled = _tick_run_us(journal, command_id)
            pairs.append((bare, journalled))
        journal.flush()
        events = len(journal.events(command_id))
        ratio = statistics.median(j / b for b, j in pairs)

        world = default_world()
        state = world.robot
        planner = LLMActionPlanner(
            Settings(cache={"enabled": False}), backend=ReferencePlanBackend(twenty_action_plan())
        )
        result = planner.plan(COMMAND, state, world)
        plan_repeat = 50 if quick else 500
        alone = median_ms(lambda: planner.plan(COMMAND, state, world), repeat=plan_repeat)

        def plan_and_record() -> None:
            answered = planner.plan(COMMAND, state, world)
            journal.record(command_id, "planning_finished", {"result": answered, "symbolic": False})

        with_journal = median_ms(plan_and_record, repeat=plan_repeat)
        journal.flush()

        def durable() -> None:
            journal.record(command_id, "planning_finished", {"result": result, "symbolic": False})
            journal.flush()

        durable_ms = median_ms(durable, repeat=50 if quick else 200)
    added = max(0.0, with_journal - alone)
    return [
        BenchRow(
            name="tick cost with the journal / without (median of paired runs)",
            value=ratio,
            unit="x",
            target=f"<= {TICK_TARGET}x",
            met=ratio <= TICK_TARGET,
            note=f"bench_tree's 50-action tree; {events} action events written per {repeat} runs",
        ),
        BenchRow(
            name="  without the journal, per tick", value=statistics.median(b for b, _ in pairs), unit="us"
        ),
        BenchRow(
            name="  with the journal, per tick", value=statistics.median(j for _, j in pairs), unit="us"
        ),
        BenchRow(
            name="pipeline overhead added by journalling the plan (median)",
            value=added,
            unit="ms",
            target=f"<= {PIPELINE_TARGET_MS:g} ms",
            met=added <= PIPELINE_TARGET_MS,
            note=f"plan() {alone:.3f} ms alone, {with_journal:.3f} ms with its planning_finished event queued",
        ),
        BenchRow(
            name="  a planning_finished event made durable (queue + commit, median)",
            value=durable_ms,
            unit="ms",
            note="off the tick thread; WAL, synchronous=full",
        ),
    ]


if __name__ == "__main__":
    print_rows(run(quick="--quick" in sys.argv), title="Journal")
