"""The benchmark scripts run and report numbers (no timing assertions: speed lives in benchmarks)."""

from __future__ import annotations

import pytest

from benchmarks.bench_pipeline import run as run_pipeline
from benchmarks.rows import BenchRow
from benchmarks.run_all import BENCHMARKS, run_one
from benchmarks.seed_prompt import seed_layout_prompt
from benchmarks.workload import SEED_COMMAND, twenty_action_plan
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.llm.prompt import build_messages
from bt_planner.verification import Verifier


def test_the_benchmark_plan_has_20_actions_and_verifies() -> None:
    plan = twenty_action_plan()
    world = default_world()
    assert len(plan.actions) == 20
    assert Verifier(SafetyLimits()).verify(plan, world.robot, world) == []


def test_pipeline_benchmark_reports_every_row_with_a_number() -> None:
    rows = run_pipeline(quick=True)
    assert [r.name for r in rows if r.target] == [
        "pipeline overhead, 20-action plan (median)",
        "cache hit (median)",
    ]
    assert all(r.value is not None and r.value > 0 for r in rows)
    assert all(r.met is not None for r in rows if r.target)


def test_a_missing_benchmark_becomes_a_skipped_row(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = run_one("bench_that_does_not_exist", "imaginary", quick=True)
    assert rows == [BenchRow.skipped("imaginary", "benchmarks/bench_that_does_not_exist.py is not there yet")]
    assert {name for name, _ in BENCHMARKS} >= {"bench_pipeline", "bench_tree", "bench_local_model"}


def test_the_seed_layout_carries_the_same_facts_as_the_compact_prompt() -> None:
    world = default_world()
    seed = "\n".join(seed_layout_prompt(SEED_COMMAND, world.robot, world))
    ours = "\n".join(m.content for m in build_messages(SEED_COMMAND, world.robot, world))
    for fact in ("red_cup", "kitchen", "table", "85", SEED_COMMAND):
        assert fact in seed
        assert fact in ours
    assert len(ours) < len(seed)
