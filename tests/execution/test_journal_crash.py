"""``kill -9`` of a real ``bt-planner run`` mid-action: on restart the command is ABORTED, its events kept."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bt_planner.journal import ABORTED_REASON, CommandOutcome, Journal, order_problems
from tests.sample_plans import kitchen_plan

BT_PLANNER = str(Path(sys.executable).parent / "bt-planner")


def _wait_for_event(path: Path, kind: str, process: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    """Poll the journal file (another process writes it) until an event of ``kind`` is durable."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "bt-planner run ended before the event appeared"
        if path.exists():
            try:
                with sqlite3.connect(path) as connection:
                    if connection.execute("SELECT 1 FROM events WHERE kind = ?", (kind,)).fetchone():
                        return
            except sqlite3.OperationalError:
                pass  # the schema is being created
        time.sleep(0.05)  # polling another process's file; bounded by the deadline
    raise AssertionError(f"no {kind!r} event within {timeout_s} s")


def test_a_killed_run_is_aborted_on_restart_with_its_events_and_a_fresh_command_works(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(kitchen_plan()))
    journal_file = tmp_path / "journal.db"
    command = [
        BT_PLANNER,
        "run",
        "fetch the cup",
        "--plan",
        str(plan_file),
        "--journal",
        str(journal_file),
        "--json",
    ]
    process = subprocess.Popen(
        [*command, "--speed", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_event(journal_file, "action_started", process)
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()

    with Journal.open(journal_file) as journal:
        (killed,) = journal.commands()
        assert journal.recovered == [killed.id]
        assert killed.status is CommandOutcome.ABORTED and killed.reason == ABORTED_REASON
        kinds = [event.kind for event in journal.events(killed.id)]
        assert kinds[:6] == [
            "received",
            "planning_started",
            "planning_finished",
            "verified",
            "executing",
            "action_started",
        ]
        assert kinds[-1] == "ended" and kinds.count("ended") == 1
        assert order_problems(journal) == []

    fresh = subprocess.run([*command, "--speed", "0"], capture_output=True, timeout=120, check=False)
    assert fresh.returncode == 0, fresh.stderr.decode()
    with Journal.open(journal_file) as journal:
        newest, oldest = journal.commands()
        assert newest.status is CommandOutcome.SUCCEEDED and newest.source == "cli"
        assert oldest.status is CommandOutcome.ABORTED and journal.recovered == []
        assert order_problems(journal) == []
