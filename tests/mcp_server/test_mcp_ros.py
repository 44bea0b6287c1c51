"""``bt-planner mcp --ros`` end to end: the real ``mcp`` client SDK over stdio against the MCP server, which
commands a real simulator + planner node pair (separate processes) through the node's typed interfaces.

One node pair serves the module (``module_ros``: a locked domain, LOCALHOST discovery); each test starts
its own ``bt-planner mcp --ros`` subprocess through the SDK's stdio client.
"""

from __future__ import annotations

import math
from typing import Any

import anyio
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from mcp import Client, StdioServerParameters

from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from tests.fake_openai_server import plan_reply
from tests.mcp_server.mcp_harness import BT_PLANNER, error_text, structured
from tests.mcp_server.test_mcp_app import TOOLS
from tests.ros.conftest import ModuleRos, module_ros  # noqa: F401  (the module-scoped node pair)
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros


@pytest.fixture(scope="module")
def ros(module_ros: ModuleRos) -> ModuleRos:  # noqa: F811
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(tick_period_s=0.05)
    module_ros.probe.listen(topics.TREE_SNAPSHOT, topics.GOAL_POSE)
    module_ros.start(NodeSpec(name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
                              parameters=sim.model_dump(exclude_unset=True)))  # fmt: skip
    module_ros.start(NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                              parameters=planner.model_dump(exclude_unset=True)))  # fmt: skip
    module_ros.probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    return module_ros


def params(ros: ModuleRos, *extra: str) -> StdioServerParameters:
    env = {**ros.env, "BT_PLANNER_MCP__CALLS_PER_MINUTE": "100000", "BT_PLANNER_MCP__BURST": "1000"}
    return StdioServerParameters(command=BT_PLANNER, args=["mcp", "--ros", *extra], env=env)


async def poll(client: Client, run_id: str, done: Any, what: str, timeout_s: float = 60.0) -> dict[str, Any]:
    """Poll run_status until ``done(status)`` (bounded); the last status otherwise names what was seen."""
    seen: list[str] = []
    with anyio.fail_after(timeout_s):
        while True:
            status = structured(await client.call_tool("run_status", {"run_id": run_id}))
            seen.append(status["state"])
            if done(status):
                return status
            assert not status["terminal"], (what, status)
            await anyio.sleep(0.05)


async def test_plan_execute_to_succeeded_then_a_second_run_is_cancelled(ros: ModuleRos) -> None:
    async with Client(params(ros)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        assert "plans and verifies it again" in (tools["execute"].description or "")

        before = structured(await client.call_tool("robot_state", {}))
        ros.server.push(plan_reply(kitchen_plan()))
        planned = structured(await client.call_tool("plan", {"command": KITCHEN_COMMAND}))
        assert planned["verified"] is True and planned["plan_id"], planned
        assert [a["action_type"] for a in planned["plan"]["actions"]] == [
            "navigate", "detect", "grasp", "navigate", "place"
        ]  # fmt: skip
        still = structured(await client.call_tool("robot_state", {}))
        assert still["state"]["pose"] == before["state"]["pose"]  # the dry run moved nothing
        assert ros.probe.messages(topics.GOAL_POSE) == []

        ros.server.push(plan_reply(kitchen_plan()))  # the node plans the stored plan's command again
        started = structured(await client.call_tool("execute", {"plan_id": planned["plan_id"]}))
        assert started["accepted"] is True and started["run_id"], started
        busy = structured(await client.call_tool("execute", {"command": "say hi"}))
        assert busy["accepted"] is False and busy["rule"] == "busy"
        done = await poll(client, started["run_id"], lambda s: s["terminal"], "the kitchen run")
        assert done["state"] == "SUCCEEDED", done
        assert len(done["plan"]["actions"]) == 5 and done["attempt"] == 1

        view = structured(await client.call_tool("describe_world", {}))
        assert view["backend"] == "ros"
        world = view["world"]
        assert world["objects"]["red_cup"]["location"] == "table"
        robot = structured(await client.call_tool("robot_state", {}))
        assert robot["active_run_id"] is None
        assert math.dist((robot["state"]["pose"]["x"], robot["state"]["pose"]["y"]), (5.0, 1.0)) < 0.5

        stale = structured(await client.call_tool("execute", {"plan_id": planned["plan_id"]}))
        assert stale["accepted"] is False and stale["rule"] == "stale" and "robot moved" in stale["reason"]

        ros.server.push(plan_reply({"actions": [action("wait", "wait", 60.0, duration_seconds=60)],
                                    "reasoning": "r"}))  # fmt: skip
        second = structured(await client.call_tool("execute", {"command": "wait a minute"}))
        assert second["accepted"] is True, second
        await poll(client, second["run_id"], lambda s: s["state"] == "EXECUTING" and s["action_index"] == 0,
                   "the wait running")  # fmt: skip
        stopped = structured(await client.call_tool("cancel", {"run_id": second["run_id"]}))
        assert stopped["run_id"] == second["run_id"]
        cancelled = await poll(client, second["run_id"], lambda s: s["terminal"], "the cancelled run")
        assert cancelled["state"] == "CANCELLED" and "CANCEL_REQUESTED" in cancelled["reason"], cancelled


async def test_an_unsafe_agent_plan_is_refused_with_rule_and_numbers_and_nothing_moves(
    ros: ModuleRos,
) -> None:
    far = {"actions": [action("move", "far away", 60.0, x=40.0, y=0.0)], "reasoning": "agent-written"}
    async with Client(params(ros)) as client:
        before = structured(await client.call_tool("robot_state", {}))["state"]["pose"]
        answer = structured(await client.call_tool("verify_plan", {"plan": far, "command": "go far"}))
        assert answer["verified"] is False
        errors = [issue for issue in answer["issues"] if issue["severity"] == "error"]
        distance = [issue for issue in errors if issue["rule"].startswith("move.distance")]
        assert distance, errors
        assert distance[0]["value"] > distance[0]["limit"] == 10.0 and distance[0]["action_index"] == 0
        refused = structured(await client.call_tool("execute", {"plan_id": answer["plan_id"]}))
        assert refused["accepted"] is False and refused["rule"] == "verification"
        assert "move.distance" in refused["reason"]
        wrote = structured(
            await client.call_tool("verify_plan", {"plan": {"actions": [action("speak", message="hi")]}})
        )
        no_command = structured(await client.call_tool("execute", {"plan_id": wrote["plan_id"]}))
        assert no_command["accepted"] is False and no_command["rule"] == "command_required"
        per_run = await client.call_tool("execute", {"command": "say hi", "approval": "always"})
        assert "node's approval" in error_text(per_run)
        assert structured(await client.call_tool("robot_state", {}))["state"]["pose"] == before
