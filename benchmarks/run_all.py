"""Run every benchmark and print one table: ``python -m benchmarks.run_all [--quick] [--json]``.

Each benchmark module exposes ``run(*, quick: bool) -> list[BenchRow]``. A module that is missing
or fails gives a "skipped: reason" row instead of stopping the others.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from benchmarks.rows import BenchRow, print_rows

BENCHMARKS: tuple[tuple[str, str], ...] = (
    ("bench_pipeline", "pipeline overhead and cache hit"),
    ("bench_tree", "tree compile time and tick cost"),
    ("bench_journal", "journal cost on ticks and on the pipeline"),
    ("bench_execution", "compile, simulated execution, oracle suite run"),
    ("bench_concurrency", "32 concurrent plans"),
    ("bench_local_model", "embedded model seconds per plan"),
    ("bench_prompt_size", "prompt size vs seed layout"),
    ("bench_symbolic", "goal expansion and symbolic re-plan"),
    ("bench_fleet", "3 robots at once vs 1 (ROS processes)"),
)


def _as_rows(values: Iterable[Any]) -> list[BenchRow]:
    rows = []
    for value in values:
        if isinstance(value, BenchRow):
            rows.append(value)
        else:
            data = value.model_dump() if hasattr(value, "model_dump") else value
            rows.append(BenchRow.model_validate(data))
    return rows


def run_one(module_name: str, what: str, *, quick: bool) -> list[BenchRow]:
    """One benchmark module's rows, or a single skipped row saying why there are none."""
    try:
        module = importlib.import_module(f"benchmarks.{module_name}")
    except ModuleNotFoundError as error:
        if error.name == f"benchmarks.{module_name}":
            return [BenchRow.skipped(what, f"benchmarks/{module_name}.py is not there yet")]
        return [BenchRow.skipped(what, f"cannot import {module_name}: {error}")]
    run = getattr(module, "run", None)
    if run is None:
        return [BenchRow.skipped(what, f"benchmarks/{module_name}.py has no run(*, quick) -> list[BenchRow]")]
    try:
        return _as_rows(run(quick=quick))
    except (ValidationError, TypeError) as error:
        return [BenchRow.skipped(what, f"{module_name}.run returned rows this table cannot read: {error}")]
    except Exception as error:  # one broken benchmark must not hide the others
        traceback.print_exc()
        return [BenchRow.skipped(what, f"{module_name} failed: {type(error).__name__}: {error}")]


def machine() -> str:
    """CPU model, core count and Python version, for the results' caption."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: list[BenchRow] = []
    for module_name, what in BENCHMARKS:
        with contextlib.redirect_stdout(sys.stderr):  # stdout carries only the table or the JSON
            rows += run_one(module_name, what, quick=args.quick)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    if args.json:
        print(
            json.dumps({"date": when, "machine": machine(), "rows": [r.model_dump() for r in rows]}, indent=2)
        )
    else:
        title = f"bt_planner benchmarks, {when}, {machine()} ({time.perf_counter() - started:.0f} s)"
        print_rows(rows, title=title, console=Console(width=160))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
