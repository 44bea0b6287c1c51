"""``bt-planner plan``: plan one command; ``--mode``; ``--json`` is JSON on every path, errors included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plan", *args])
    return result.exit_code, result.stdout


@pytest.fixture
def configured(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("BT_PLANNER_LLM__MODEL", "fake-model")
    monkeypatch.setenv("BT_PLANNER_RETRY__INITIAL_WAIT_S", "0.01")
    return server


def test_goal_mode_from_the_command_line_prints_goals_and_the_expanded_plan(
    configured: FakeOpenAIServer,
) -> None:
    configured.push(plan_reply({"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]}))
    code, out = invoke("--mode", "goals", "--json", "bring the red cup to the table")
    assert code == 0
    result = json.loads(out)
    assert result["mode"] == "goals" and result["success"] is True
    assert result["goals"] == {"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]}
    assert [a["action_type"] for a in result["plan"]["actions"]][-1] == "place"
    assert configured.requests[0]["response_format"]["json_schema"]["name"] == "goal_list"


def test_goal_mode_table_lists_the_goals(configured: FakeOpenAIServer) -> None:
    configured.push(plan_reply({"goals": [{"goal": "go_to", "location": "table"}]}))
    code, out = invoke("--mode", "goals", "go to the table")
    assert code == 0
    assert "goals: go_to(table)" in out and "goals mode" in out


def test_no_safe_plan_exits_1_with_json(configured: FakeOpenAIServer) -> None:
    configured.push(Scripted(content="not json"), Scripted(content="still not json"))
    code, out = invoke("--json", "go to the table")
    assert code == 1
    assert json.loads(out)["success"] is False


def test_a_broken_world_file_is_a_json_error_with_exit_2(tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(
        "locations: {kitchen: {position: [1, 2]}}\nobjects: {cup: {type: cup, location: attic}}\n"
    )
    code, out = invoke("--json", "--world", str(world), "go to the kitchen")
    assert code == 2
    error = json.loads(out)
    assert error["success"] is False and error["error"]["type"] == "SetupError"
    assert str(world) in error["error"]["message"] and "attic" in error["error"]["message"]


def test_a_missing_config_file_is_a_json_error_with_exit_2(tmp_path: Path) -> None:
    code, out = invoke("--json", "--config", str(tmp_path / "nope.yaml"), "go to the kitchen")
    assert code == 2
    assert "config file not found" in json.loads(out)["error"]["message"]
