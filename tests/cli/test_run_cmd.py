"""``bt-planner run``: plan (or load a plan), verify, execute on the simulator, report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from tests.fake_openai_server import FakeOpenAIServer, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["run", *args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_file_runs_and_json_reports_outcomes_timings_and_final_world(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke(KITCHEN_COMMAND, "--plan", str(plan), "--json", "--speed", "0")
    assert code == 0
    report = json.loads(out)
    assert report["command"] == KITCHEN_COMMAND and report["success"] is True
    assert [o["status"] for o in report["outcomes"]] == ["succeeded"] * 5
    assert all(o["ended_at"] > o["started_at"] for o in report["outcomes"])
    assert report["final_world"]["objects"]["red_cup"]["location"] == "table"
    assert report["final_state"]["holding"] is None and report["sim_time_s"] > 15


def test_command_is_planned_by_the_configured_backend(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.push(plan_reply(kitchen_plan()))
    code, out, _ = invoke(KITCHEN_COMMAND, "--json", "--speed", "0")
    assert code == 0 and json.loads(out)["success"] is True
    assert len(server.requests) == 1
    assert KITCHEN_COMMAND in server.requests[0]["messages"][-1]["content"]


def test_no_safe_plan_exits_1_without_moving(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.push(plan_reply("not a plan"), plan_reply("still not a plan"))
    code, out, _ = invoke("dance", "--json", "--speed", "0")
    assert code == 1
    assert json.loads(out)["success"] is False and "outcomes" not in json.loads(out)


def test_human_output_shows_actions_world_and_verdict(tmp_path: Path) -> None:
    plan = {
        "actions": [
            action("navigate", "go", 8.0, location_name="kitchen"),
            action("speak", message="Hi there"),
        ]
    }
    code, out, _ = invoke("go and greet", "--plan", str(write(tmp_path / "p.json", plan)), "--speed", "0")
    assert code == 0
    for expected in ("Actions", "navigate", "succeeded", "Final world", "red_cup", "said: Hi there"):
        assert expected in out


def test_output_of_plan_json_is_accepted_as_a_plan_file(tmp_path: Path) -> None:
    result = {"success": True, "command": "x", "plan": kitchen_plan(), "issues": []}
    code, out, _ = invoke(
        "x", "--plan", str(write(tmp_path / "result.json", result)), "--json", "--speed", "0"
    )
    assert code == 0 and json.loads(out)["success"] is True


def test_plan_file_is_still_verified(tmp_path: Path) -> None:
    plan = {"actions": [action("navigate", location_name="attic")]}
    code, out, err = invoke("go", "--plan", str(write(tmp_path / "p.json", plan)), "--speed", "0")
    assert code == 1 and out == ""
    assert "attic" in err and "failed verification; nothing was executed" in err


def test_unreadable_plan_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, err = invoke("go", "--plan", str(bad))
    assert code == 2 and "cannot read plan file" in err


def test_execution_failure_exits_1_with_the_reason(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke("go", "--plan", str(plan), "--speed", "0", "--max-sim-time", "3")
    assert code == 1
    assert "failed: stopped after 3 s of simulated time" in " ".join(out.split())


def test_world_option_and_paced_run(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(
        "name: hall\nlocations:\n  door: {position: [1.0, 0.0, 0.0]}\nrobot: {battery_percent: 90}\n",
        encoding="utf-8",
    )
    plan = write(tmp_path / "p.json", {"actions": [action("navigate", location_name="door")]})
    code, out, _ = invoke("go", "--plan", str(plan), "--world", str(world), "--json", "--speed", "500")
    report = json.loads(out)
    assert code == 0 and report["final_world"]["name"] == "hall"
    assert report["final_state"]["pose"]["x"] == pytest.approx(1.0, abs=0.03)


def test_view_publishes_every_changed_tick_and_the_final_world(tmp_path: Path) -> None:
    from bt_planner.cli.run_cmd import _execute, _final_snapshot
    from bt_planner.config import Settings
    from bt_planner.core.world import default_world
    from bt_planner.plans.custom_actions import CustomActionRegistry
    from bt_planner.plans.plan import Plan
    from bt_planner.sim import SimulatedRobot
    from bt_planner.viewer import ViewerServer

    with ViewerServer(port=0) as viewer:
        report = _execute(
            Plan.model_validate(kitchen_plan()),
            robot=SimulatedRobot(default_world()),
            world=default_world(),
            settings=Settings(),
            registry=CustomActionRegistry(),
            speed=0.0,
            max_sim_time=600.0,
            console=None,
            viewer=viewer,
            command=KITCHEN_COMMAND,
        )
        mid_run = viewer.hub.latest
        _final_snapshot(viewer, report, KITCHEN_COMMAND)
        final = viewer.hub.latest
    assert report.success
    assert mid_run is not None and mid_run.sequence > 10
    assert final is not None and final.snapshot.mission is not None
    assert final.snapshot.mission.status == "SUCCEEDED"
    assert final.snapshot.mission.command == KITCHEN_COMMAND
    assert final.snapshot.world is not None
    assert final.snapshot.world.objects["red_cup"].location == "table"
    assert len(final.snapshot.nodes) > 5


def _plan_that_looks_for_a_bottle() -> dict[str, object]:
    plan = kitchen_plan()
    actions = list(plan["actions"])  # type: ignore[call-overload]
    actions[1] = action("detect", "find the bottle", 2.0, object_type="bottle", search_area="kitchen")
    return {**plan, "actions": actions}


def test_a_failed_run_is_replanned_from_where_the_robot_stopped(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.push(plan_reply(_plan_that_looks_for_a_bottle()), plan_reply(kitchen_plan()))
    code, out, _ = invoke(KITCHEN_COMMAND, "--json", "--speed", "0")
    assert code == 0
    report = json.loads(out)
    assert report["success"] is True
    assert report["earlier_attempts"][0]["failed_action_index"] == 1
    assert report["final_world"]["objects"]["red_cup"]["location"] == "table"
    replan_prompt = server.requests[1]["messages"][-1]["content"]
    assert "Attempt 1 failed at action 1 (detect" in replan_prompt
    assert "Robot: at (3,2)" in replan_prompt


def test_no_replanning_when_max_replans_is_zero(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("BT_PLANNER_EXECUTION__MAX_REPLANS", "0")
    server.push(plan_reply(_plan_that_looks_for_a_bottle()))
    code, out, _ = invoke(KITCHEN_COMMAND, "--json", "--speed", "0")
    assert code == 1
    assert json.loads(out)["failed_action_index"] == 1
    assert len(server.requests) == 1
