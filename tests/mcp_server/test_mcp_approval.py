"""The operator approval gate and the journal through MCP: the real ``mcp`` client SDK over stdio against
``bt-planner mcp`` (a subprocess). Plans are the client's own (``verify_plan``), so no model is called."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from bt_planner.journal import CommandOutcome, Journal, order_problems
from tests.fake_openai_server import FakeOpenAIServer
from tests.mcp_server.mcp_harness import error_text, server_env, stdio_params, structured, write_world
from tests.sample_plans import action

GO_TO_KITCHEN = {"actions": [action("navigate", location_name="kitchen"), action("speak", message="here")]}


async def wait_for(client: Client, run_id: str, states: set[str], timeout_s: float = 30.0) -> dict[str, Any]:
    """Poll run_status until the run is in one of ``states`` (bounded)."""
    with anyio.fail_after(timeout_s):
        while True:
            status = structured(await client.call_tool("run_status", {"run_id": run_id}))
            if status["state"] in states:
                return status
            assert not status["terminal"], status
            await anyio.sleep(0.02)


async def start_awaiting(client: Client, **execute: Any) -> tuple[str, dict[str, Any]]:
    """Verify GO_TO_KITCHEN, execute it, and wait until it is AWAITING_APPROVAL: nothing has moved."""
    verified = structured(await client.call_tool("verify_plan", {"plan": GO_TO_KITCHEN}))
    started = structured(await client.call_tool("execute", {"plan_id": verified["plan_id"], **execute}))
    assert started["accepted"] is True, started
    run_id = str(started["run_id"])
    status = await wait_for(client, run_id, {"AWAITING_APPROVAL"})
    assert [a["action_type"] for a in status["plan"]["actions"]] == ["navigate", "speak"]
    assert status["approval"]["pending"] is True and status["approval"]["reasons"], status
    robot = structured(await client.call_tool("robot_state", {}))
    assert robot["goals_sent"] == 0 and robot["state"]["pose"]["x"] == 0.0, robot
    assert robot["active_run_id"] == run_id
    return run_id, status


def approval_env(server: FakeOpenAIServer, approval: str | None, **mcp: str) -> dict[str, str]:
    env = server_env(server, sim_speed="0", **mcp)
    if approval is not None:
        env["BT_PLANNER_EXECUTION__APPROVAL__MODE"] = approval
    return env


async def test_always_waits_with_nothing_sent_then_an_allowed_mcp_approval_runs_it_and_it_is_journalled(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    journal_file = tmp_path / "missions.db"
    env = approval_env(server, "always", allow_approvals="any_client")
    params = stdio_params(write_world(tmp_path), env, "--journal", str(journal_file))
    async with Client(params) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["approve"].annotations is not None and tools["approve"].annotations.destructive_hint
        run_id, waiting = await start_awaiting(client)
        assert "'always'" in waiting["approval"]["reasons"][0]
        assert "approve(run_id)" in waiting["approval"]["answer_via"]

        approved = structured(await client.call_tool("approve", {"run_id": run_id}))
        assert approved["approved"] is True and approved["by"] == "stdio"
        done = await wait_for(client, run_id, {"SUCCEEDED", "FAILED", "REJECTED", "CANCELLED"})
        assert done["state"] == "SUCCEEDED", done
        assert done["approval"]["approved"] is True and done["approval"]["via"] == "mcp"
        robot = structured(await client.call_tool("robot_state", {}))
        assert robot["goals_sent"] >= 2 and robot["state"]["pose"]["x"] > 2.5  # it went to the kitchen
        twice = await client.call_tool("approve", {"run_id": run_id})
        assert "not waiting for approval" in error_text(twice)

        resource = await client.read_resource("bt-planner://journal/recent")
        text = resource.contents[0].text  # type: ignore[union-attr]
        assert '"source":"mcp"' in text and '"approval_granted"' in text

    journal = Journal.read(journal_file)  # the server has exited and closed it
    commands = journal.commands(limit=None)
    assert len(commands) == 1
    command = commands[0]
    assert command.source == "mcp" and command.status is CommandOutcome.SUCCEEDED
    assert command.approval == "approved by stdio via mcp"
    events = journal.events(command.id)
    kinds = [event.kind for event in events]
    assert kinds.count("ended") == 1 and kinds[-1] == "ended"
    assert kinds.index("approval_requested") < kinds.index("approval_granted") < kinds.index("executing")
    (request,) = [event for event in events if event.kind == "mcp_request"]
    assert request.data["client"] == "stdio" and request.data["run_id"] == run_id
    assert request.data["client_app"]  # the name the SDK's client gave itself
    assert order_problems(journal) == []
    calls = [event.data for event in journal.events() if event.kind == "mcp_tool_call"]
    assert [call["tool"] for call in calls].count("execute") == 1
    approvals = [(call["outcome"], call["arguments"]) for call in calls if call["tool"] == "approve"]
    assert approvals == [("ok", {"run_id": run_id}), ("error", {"run_id": run_id})]  # the second was refused
    assert all(call["client"] == "stdio" and call["client_app"] for call in calls)


async def test_by_default_mcp_may_not_approve_and_a_rejected_plan_never_moves(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), approval_env(server, "always"))
    async with Client(params) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        assert {"approve", "reject"} <= tools
        assert not any("journal" in str(r.uri) for r in (await client.list_resources()).resources)
        run_id, waiting = await start_awaiting(client)
        assert "viewer" in waiting["approval"]["answer_via"]

        refused = error_text(await client.call_tool("approve", {"run_id": run_id}))
        assert "mcp.allow_approvals: never" in refused and "viewer" in refused
        still = structured(await client.call_tool("run_status", {"run_id": run_id}))
        assert still["state"] == "AWAITING_APPROVAL" and still["approval"]["pending"] is True

        rejected = structured(await client.call_tool("reject", {"run_id": run_id, "reason": "not now"}))
        assert rejected["approved"] is False
        done = await wait_for(client, run_id, {"SUCCEEDED", "FAILED", "REJECTED", "CANCELLED"})
        assert done["state"] == "REJECTED" and "not now" in done["reason"], done
        assert done["approval"]["by"] == "stdio" and done["approval"]["via"] == "mcp"
        robot = structured(await client.call_tool("robot_state", {}))
        assert robot["goals_sent"] == 0 and robot["state"]["pose"]["x"] == 0.0, robot


async def test_a_command_can_add_a_gate_and_other_clients_mode_refuses_the_executing_client(
    tmp_path: Path, server: FakeOpenAIServer
) -> None:
    params = stdio_params(write_world(tmp_path), approval_env(server, None, allow_approvals="other_clients"))
    async with Client(params) as client:
        bad = await client.call_tool("execute", {"command": "say hi", "approval": "sometimes"})
        assert "not an approval policy" in error_text(bad)
        run_id, waiting = await start_awaiting(client, approval="always")  # the server's policy is never
        assert "the command's approval policy is 'always'" in waiting["approval"]["reasons"]
        refused = error_text(await client.call_tool("approve", {"run_id": run_id}))
        assert "executed run" in refused and "other_clients" in refused

        stopped = structured(await client.call_tool("cancel", {"run_id": run_id}))
        assert stopped["run_id"] == run_id
        done = await wait_for(client, run_id, {"SUCCEEDED", "FAILED", "REJECTED", "CANCELLED"}, timeout_s=10)
        assert done["state"] == "CANCELLED" and "cancelled by the MCP client" in done["reason"], done
        robot = structured(await client.call_tool("robot_state", {}))
        assert robot["goals_sent"] == 0 and robot["active_run_id"] is None
