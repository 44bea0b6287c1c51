"""The tree benchmark script runs and reports numbers (speed itself is judged in benchmarks, not here)."""

from __future__ import annotations

from benchmarks.bench_tree import ACTIONS, fifty_action_plan, run


def test_tree_benchmark_reports_ratio_tick_costs_and_compile_time() -> None:
    rows = run(quick=True)
    names = [row.name for row in rows]
    assert names[0].startswith(f"tick cost, compiled {ACTIONS}-action tree / bare py_trees")
    assert rows[0].met is not None and rows[0].target == "<= 1.5x"
    assert all(row.value is not None and row.value > 0 for row in rows)
    assert any(name.startswith(f"compile a {ACTIONS}-action plan") for name in names)
    assert len(fifty_action_plan().actions) == ACTIONS
