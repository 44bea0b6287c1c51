"""The MCP server end to end: the real ``mcp`` client SDK over stdio against ``bt-planner mcp``
(a subprocess), planning with the loopback fake OpenAI server, executing on the simulator."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from tests.fake_openai_server import FakeOpenAIServer, plan_reply
from tests.mcp_server.mcp_harness import error_text, server_env, stdio_params, structured, write_world
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

TOOLS = {
    "describe_world",
    "robot_state",
    "plan",
    "verify_plan",
    "execute",
    "run_status",
    "cancel",
    "estop",
    "release",
    "approve",
    "reject",
}
READ_ONLY = {"describe_world", "robot_state", "plan", "verify_plan", "run_status"}


async def wait_terminal(client: Client, run_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Poll run_status until the run has ended (bounded)."""
    with anyio.fail_after(timeout_s):
        while True:
            status = structured(await client.call_tool("run_status", {"run_id": run_id}))
            if status["terminal"]:
                return status
            await anyio.sleep(0.05)


async def wait_state(client: Client, run_id: str, state: str, timeout_s: float = 30.0) -> dict[str, Any]:
    with anyio.fail_after(timeout_s):
        while True:
            status = structured(await client.call_tool("run_status", {"run_id": run_id}))
            assert not status["terminal"], status
            if status["state"] == state and status["action_index"] is not None:
                return status
            await anyio.sleep(0.02)


async def test_plan_execute_succeed_then_a_second_run_is_cancelled(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    wander = {"actions": [action("navigate", location_name="kitchen"), action("wait", duration_seconds=60.0),
                          action("speak", message="done")]}  # fmt: skip
    server.push(plan_reply(kitchen_plan()), plan_reply(wander))
    params = stdio_params(write_world(tmp_path), server_env(server, sim_speed="10"))
    async with Client(params) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        for name, tool in tools.items():
            assert tool.annotations is not None and tool.annotations.read_only_hint is (name in READ_ONLY), (
                name
            )
            assert tool.output_schema is not None and tool.output_schema["type"] == "object"
        assert tools["execute"].annotations.destructive_hint is True  # type: ignore[union-attr]
        assert "plan" in tools["verify_plan"].input_schema["properties"]
        prompt = await client.get_prompt("plan_format", {"command": KITCHEN_COMMAND})
        text = prompt.messages[0].content.text  # type: ignore[union-attr]
        assert "red_cup" in text and "10 m per move" in text and "verify_plan" in text

        planned = structured(await client.call_tool("plan", {"command": KITCHEN_COMMAND}))
        assert planned["verified"] is True and planned["plan_id"]
        assert [a["action_type"] for a in planned["plan"]["actions"]] == [
            "navigate", "detect", "grasp", "navigate", "place"
        ]  # fmt: skip
        before = structured(await client.call_tool("robot_state", {}))
        assert before["state"]["pose"]["x"] == 0.0  # planning moved nothing

        started = structured(await client.call_tool("execute", {"plan_id": planned["plan_id"]}))
        assert started["accepted"] is True and started["run_id"]
        busy = structured(await client.call_tool("execute", {"plan_id": planned["plan_id"]}))
        done = await wait_terminal(client, started["run_id"])
        assert done["state"] == "SUCCEEDED", done
        assert [o["status"] for o in done["outcomes"]] == ["succeeded"] * 5
        assert busy["accepted"] is False and busy["rule"] in ("busy", "stale")

        world = structured(await client.call_tool("describe_world", {}))["world"]
        assert world["objects"]["red_cup"]["location"] == "table"
        assert math.dist((world["robot"]["pose"]["x"], world["robot"]["pose"]["y"]), (5.0, 1.0)) < 0.5
        resource = await client.read_resource("bt-planner://world")
        assert '"red_cup"' in resource.contents[0].text  # type: ignore[union-attr]
        snapshot = await client.read_resource("bt-planner://tree/snapshot")
        assert '"SUCCEEDED"' in snapshot.contents[0].text  # type: ignore[union-attr]

        stale = structured(await client.call_tool("execute", {"plan_id": planned["plan_id"]}))
        assert stale["accepted"] is False and stale["rule"] == "stale"
        assert "robot moved from (0.00, 0.00)" in stale["reason"] and "red_cup" in stale["reason"]

        second = structured(
            await client.call_tool("execute", {"command": "go to the kitchen and wait a minute"})
        )
        assert second["accepted"] is True
        await wait_state(client, second["run_id"], "EXECUTING")
        stopped = structured(await client.call_tool("cancel", {"run_id": second["run_id"]}))
        assert stopped["run_id"] == second["run_id"]
        cancelled = await wait_terminal(client, second["run_id"])
        assert cancelled["state"] == "CANCELLED", cancelled
        assert "cancelled by the MCP client" in cancelled["reason"]
        after = structured(await client.call_tool("robot_state", {}))
        assert after["active_run_id"] is None


async def test_estop_stops_the_run_and_refuses_execute_until_release(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), server_env(server, sim_speed="10"))
    plan = {"actions": [action("wait", duration_seconds=100.0)]}
    async with Client(params) as client:
        verified = structured(await client.call_tool("verify_plan", {"plan": plan}))
        run = structured(await client.call_tool("execute", {"plan_id": verified["plan_id"]}))
        await wait_state(client, run["run_id"], "EXECUTING")
        stop = structured(await client.call_tool("estop", {}))
        assert stop["estop_engaged"] is True and stop["run_id"] == run["run_id"]
        assert (await wait_terminal(client, run["run_id"]))["state"] == "CANCELLED"
        refused = structured(await client.call_tool("execute", {"command": "say hello"}))
        assert refused["accepted"] is False and refused["rule"] == "estop" and "release" in refused["reason"]
        assert structured(await client.call_tool("release", {}))["estop_engaged"] is False
        again = structured(
            await client.call_tool("verify_plan", {"plan": {"actions": [action("speak", message="hi")]}})
        )
        rerun = structured(await client.call_tool("execute", {"plan_id": again["plan_id"]}))
        assert (await wait_terminal(client, rerun["run_id"]))["state"] == "SUCCEEDED"


async def test_malformed_arguments_are_tool_errors_and_the_server_keeps_answering(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), server_env(server))
    async with Client(params) as client:
        cases: list[tuple[str, dict[str, Any], str]] = [
            ("verify_plan", {"plan": {"actions": [{"action_type": "fly", "parameters": {}}]}}, "action_type"),
            ("verify_plan", {"plan": {"actions": [action("move", x="far", y=0)]}}, "x"),
            ("verify_plan", {"plan": "not a plan"}, "plan"),
            ("verify_plan", {}, "plan"),
            ("plan", {"command": ""}, "command"),
            ("run_status", {}, "run_id"),
            ("run_status", {"run_id": "run-99"}, "unknown run_id"),
            ("execute", {}, "exactly one of"),
            ("execute", {"plan_id": "plan-1-000000"}, "unknown plan_id"),
            ("execute", {"plan_id": ["a", "list"]}, "plan_id"),
            ("cancel", {"run_id": "run-7"}, "unknown run_id"),
            ("teleport", {"x": 1}, "Unknown tool"),
        ]
        for name, arguments, expected in cases:
            result = await client.call_tool(name, arguments)
            message = error_text(result)
            assert expected in message, (name, arguments, message)
            # after each bad call the server still answers
            assert structured(await client.call_tool("robot_state", {}))["state"]["pose"]["x"] == 0.0
        with pytest.raises(MCPError):
            await client.read_resource("bt-planner://nothing/here")
        with pytest.raises(MCPError, match="no behaviour tree has run yet"):
            await client.read_resource("bt-planner://tree/snapshot")
        assert structured(await client.call_tool("describe_world", {}))["world"]["name"] == "mcp_kitchen"


async def test_a_client_over_its_rate_limit_gets_an_mcp_error_saying_how_long_to_wait(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), server_env(server, burst="3", calls_per_minute="6"))
    async with Client(params) as client:
        for _ in range(3):
            structured(await client.call_tool("robot_state", {}))
        with pytest.raises(
            MCPError, match=r"rate limit: 6 calls per minute per client .*retry in \d+\.\d\d s"
        ) as caught:
            await client.call_tool("robot_state", {})
        assert caught.value.code == -32029 and caught.value.data["retry_after_s"] > 0
        assert (await client.list_tools()).tools  # listing is not rate limited; the server is up
