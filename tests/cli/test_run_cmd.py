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


def test_goal_mode_runs_the_symbolic_expansion_of_the_models_goals(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    server.push(plan_reply({"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]}))
    code, out, _ = invoke(KITCHEN_COMMAND, "--mode", "goals", "--json", "--speed", "0")
    report = json.loads(out)
    assert code == 0 and report["success"] is True, report
    assert report["final_world"]["objects"]["red_cup"]["location"] == "table"
    assert server.requests[0]["response_format"]["json_schema"]["name"] == "goal_list"


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


def test_view_publishes_the_mission_tree_every_changed_tick_and_the_final_world() -> None:
    from rich.console import Console

    from bt_planner.cli.run_cmd import _execute, _final_snapshot, _Watch
    from bt_planner.config import Settings
    from bt_planner.core.world import default_world
    from bt_planner.execution import GivenPlanPlanner
    from bt_planner.plans.custom_actions import CustomActionRegistry
    from bt_planner.plans.plan import Plan
    from bt_planner.sim import SimulatedRobot
    from bt_planner.snapshot import TreeSnapshot
    from bt_planner.viewer import ViewerServer

    settings, world = Settings(), default_world()
    planner = GivenPlanPlanner(Plan.model_validate(kitchen_plan()), limits=settings.safety)
    statuses: list[str | None] = []
    with ViewerServer(port=0) as viewer:
        robot = SimulatedRobot(world)
        watch = _Watch(command=KITCHEN_COMMAND, robot=robot, viewer=viewer, live=None, redraw_every=1)
        publish = viewer.publish

        def recording(snapshot: object) -> bool:
            assert isinstance(snapshot, TreeSnapshot) and snapshot.mission is not None
            statuses.append(snapshot.mission.status)
            return publish(snapshot)

        viewer.publish = recording  # type: ignore[method-assign]
        run = _execute(
            KITCHEN_COMMAND, planner=planner, robot=robot, world=world, settings=settings,
            registry=CustomActionRegistry(), replans=False, speed=0.0, max_sim_time=600.0, watch=watch,
            err=Console(stderr=True),
        )  # fmt: skip
        mid_run = viewer.hub.latest
        _final_snapshot(viewer, run)
        final = viewer.hub.latest
    assert run.success
    assert mid_run is not None and mid_run.sequence > 10
    assert statuses[0] in ("PLANNING_STARTED", "EXECUTING") and statuses[-1] == "SUCCEEDED"
    assert statuses.count("EXECUTING") > 10
    assert final is not None and final.snapshot.mission is not None
    assert final.snapshot.mission.status == "SUCCEEDED"
    assert final.snapshot.mission.command == KITCHEN_COMMAND
    assert final.snapshot.world is not None
    assert final.snapshot.world.objects["red_cup"].location == "table"
    names = [node.name for node in final.snapshot.nodes.values()]
    assert "Re-plan on failure" in names and "Wait for command" in names  # the mission tree, as on ROS
    assert "#5 place table" in names  # with the plan under Execute
    assert final.snapshot.visited and final.snapshot.timestamp == pytest.approx(run.sim_time_s)


def _plan_that_looks_for_a_bottle() -> dict[str, object]:
    plan = kitchen_plan()
    actions = list(plan["actions"])
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


def test_the_cli_replans_from_the_belief_not_from_the_simulator(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone moved the cup to the table; the mission's belief (the world file) still has it in the kitchen.

    The kitchen plan's detect fails there; the model is asked again with the failure context, the
    robot's state where it stopped and the world as the mission believes it, not as the simulator has it.
    """
    from bt_planner.cli import run_cmd
    from bt_planner.core.geometry import Vec3
    from bt_planner.core.world import World
    from bt_planner.sim import SimulatedRobot

    class CupMovedRobot(SimulatedRobot):
        def __init__(self, world: World) -> None:
            super().__init__(world)
            self.move_object("red_cup", Vec3(x=5.3, y=1.2, z=0.8))

    monkeypatch.setattr(run_cmd, "SimulatedRobot", CupMovedRobot)
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    look_at_the_table = {
        "actions": [
            action("navigate", "look at the table", 5.0, location_name="table"),
            action("detect", "find the cup there", 2.0, object_type="cup", search_area="table"),
            action("speak", "report", 2.0, message="The red cup is on the table"),
        ]
    }
    server.push(plan_reply(kitchen_plan()), plan_reply(look_at_the_table))
    code, out, err = invoke(KITCHEN_COMMAND, "--json", "--speed", "0")

    assert code == 0, out
    report = json.loads(out)
    reason = "no cup seen within 1.5 m of (3.00, 2.00)"
    assert report["earlier_attempts"] == [{"failure": reason, "failed_action_index": 1}]
    assert (report["success"], report["state"], report["spoken"]) == (
        True,
        "succeeded",
        ["The red cup is on the table"],
    )
    assert f"attempt 1: action 1 failed: {reason}; re-planning" in " ".join(err.split())
    assert len(server.requests) == 2
    first, replan = (r["messages"][-1]["content"] for r in server.requests)
    assert "Attempt 1 failed at action 1 (detect" in replan and reason in replan
    assert "Robot: at (0,0)" in first and "Robot: at (3,2)" in replan  # from where the robot stopped
    believed = "red_cup=red cup at (3.2,2.1,0.8) near kitchen"
    assert believed in first and believed in replan  # the belief, not the simulator's (5.3, 1.2)
    assert "5.3" not in replan
    navigate = report["outcomes"][0]
    assert navigate["status"] == "succeeded" and navigate["started_at"] > 8.0  # went on, clock not reset


def test_json_on_every_path_set_up_errors_included(tmp_path: Path) -> None:
    bad_world = tmp_path / "world.yaml"
    bad_world.write_text("name: [", encoding="utf-8")
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke("go", "--plan", str(plan), "--world", str(bad_world), "--json")
    error = json.loads(out)
    assert code == 2 and (error["command"], error["success"], error["state"]) == ("go", False, "error")
    assert "world.yaml" in error["error"]
    code, out, _ = invoke("go", "--plan", str(tmp_path / "missing.json"), "--json")
    assert code == 2 and "cannot read plan file" in json.loads(out)["error"]

    unsafe = write(tmp_path / "unsafe.json", {"actions": [action("navigate", location_name="attic")]})
    code, out, err = invoke("go", "--plan", str(unsafe), "--json", "--speed", "0")
    rejected = json.loads(out)
    assert code == 1 and (rejected["success"], rejected["state"], rejected["plan"]) == (
        False,
        "rejected",
        None,
    )
    assert [i["rule"] for i in rejected["issues"]] == ["world.unknown_location"]
    assert "failed verification; nothing was executed" in err

    code, out, _ = invoke("go", "--plan", str(plan), "--json", "--speed", "0", "--max-sim-time", "3")
    stopped = json.loads(out)
    assert code == 1 and (stopped["state"], stopped["failure"]) == (
        "failed",
        "stopped after 3 s of simulated time (max_sim_time_s)",
    )
    assert stopped["outcomes"][0]["status"] == "cancelled" and stopped["sim_time_s"] == pytest.approx(3.0)


def test_plan_file_runs_are_deterministic(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.json", kitchen_plan())
    runs = [invoke(KITCHEN_COMMAND, "--plan", str(plan), "--json", "--speed", "0")[1] for _ in range(2)]
    assert runs[0] == runs[1] and json.loads(runs[0])["success"] is True
