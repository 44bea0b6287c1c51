"""A mission journalled end to end: N commands as fast as possible, every path to a terminal status."""

from __future__ import annotations

from pathlib import Path

from bt_planner.core.world import World
from bt_planner.journal import CommandOutcome, order_problems
from bt_planner.plans.plan import Plan
from bt_planner.tree.mission import MissionState
from tests.journal.journal_helpers import open_journal, runner
from tests.sample_plans import action, kitchen_plan

COMMANDS = 300


def test_n_commands_as_fast_as_possible_each_end_once_in_a_consistent_order(
    tmp_path: Path, world: World
) -> None:
    journal = open_journal(tmp_path / "j.db")
    built, _ = runner(world, journal)
    with built:
        reports = [built.run(f"command {i}", source="api") for i in range(COMMANDS)]
    journal.flush()
    commands = journal.commands(limit=None, newest_first=False)
    assert len(commands) == COMMANDS
    assert [c.command for c in commands] == [f"command {i}" for i in range(COMMANDS)]
    assert all(c.status is CommandOutcome.SUCCEEDED for c in commands)
    assert [r.journal_id for r in reports] == [c.id for c in commands]
    assert order_problems(journal) == []
    kinds = [e.kind for e in journal.events(commands[0].id)]
    assert kinds == ["received", "planning_started", "planning_finished", "verified", "executing",
                     "action_started", "action_ended", "action_started", "action_ended", "ended"]  # fmt: skip
    journal.close()


def test_rejected_failed_cancelled_and_replanned_commands_are_journalled_with_reasons(
    tmp_path: Path, world: World
) -> None:
    journal = open_journal(tmp_path / "j.db")
    far = Plan.model_validate({"actions": [action("move", x=40.0, y=0.0)]})
    with runner(world, journal, far)[0] as built:
        rejected = built.run("walk 40 m")
    with runner(world, journal, Plan.model_validate(kitchen_plan()))[0] as built:
        stopped = built.run("slow one", max_sim_time_s=2.0)
    missing = Plan.model_validate({"actions": [action("grasp", object_id="red_cup")]})
    with runner(world, journal, missing)[0] as built:
        failed = built.run("grab it from here")
    journal.flush()
    assert rejected.status.state is MissionState.REJECTED
    assert stopped.status.state is MissionState.FAILED  # the runner's word; the mission cancelled it
    outcomes = {c.command: (c.status, c.reason) for c in journal.commands()}
    assert outcomes["walk 40 m"][0] is CommandOutcome.REJECTED and "move.distance" in (
        outcomes["walk 40 m"][1] or ""
    )
    assert outcomes["slow one"] == (
        CommandOutcome.CANCELLED,
        "stopped after 2 s of simulated time (max_sim_time_s)",
    )
    assert outcomes["grab it from here"][0] is CommandOutcome(failed.status.state.value)
    verified = [e for e in journal.events(rejected.journal_id) if e.kind == "planning_finished"]
    assert verified and verified[0].data["result"]["backend"] == "given-plan"
    assert order_problems(journal) == []
    journal.close()


def test_a_journal_that_fills_up_halts_the_mission_and_the_robot_says_why(
    tmp_path: Path, world: World
) -> None:
    journal = open_journal(tmp_path / "j.db", max_size_mb=0.06)
    built, robot = runner(world, journal, Plan.model_validate(kitchen_plan()))
    with built:
        report = None
        for index in range(200):
            report = built.run(f"fetch {index}")
            if built.mission.fault is not None:
                break
        assert built.mission.fault is not None and "database or disk is full" in built.mission.fault
        assert robot.goal_status().state.value != "running"
        after = built.run("and one more")
    assert report is not None
    assert after.status.state is MissionState.REJECTED
    assert "journal" in after.status.reason and "full" in after.status.reason
    journal.close()


def test_estop_and_halt_are_recorded_as_mission_events(tmp_path: Path, world: World) -> None:
    journal = open_journal(tmp_path / "j.db")
    built, _ = runner(world, journal)
    with built:
        built.run("first")
        built.mission.estop(True)
        built.mission.estop(False)
        built.mission.tick()
    journal.flush()
    mission_wide = [e for e in journal.events() if e.command_id is None]
    assert [(e.kind, e.data) for e in mission_wide] == [
        ("estop", {"engaged": True}),
        ("estop", {"engaged": False}),
    ]
    journal.close()
