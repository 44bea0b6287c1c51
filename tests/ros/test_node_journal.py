"""The planner node's mission journal (``journal_path``), read back with the journal's reader and order checker.

Real simulator and planner processes: a burst of commands on ``robot_command`` is journalled one row each with
exactly one terminal status, in a consistent order; a planner killed with SIGKILL mid-action leaves its command
open, and the planner restarted on the same file closes it ABORTED with the reason at start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner_msgs.action import ExecuteCommand
from std_msgs.msg import String

from bt_planner.journal import ABORTED_REASON, CommandOutcome, Journal, command_problems, order_problems
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import StatusMessage
from tests.fake_openai_server import plan_reply
from tests.ros.test_approval_service import wait_until
from tests.ros.test_execute_command_server import Goal, long_plan
from tests.sample_plans import action

pytestmark = pytest.mark.ros

BURST = int(os.environ.get("BT_PLANNER_TEST_JOURNAL_BURST", "50"))
"""Commands in the burst; the issue's bar is 1,000 (run it with BT_PLANNER_TEST_JOURNAL_BURST=1000)."""


def planner_spec(journal_path: Path) -> NodeSpec:
    planner = PlannerNodeParameters(tick_period_s=0.05, snapshot_period_s=0.5, journal_path=str(journal_path))
    return NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                    parameters=planner.model_dump(exclude_unset=True))  # fmt: skip


@pytest.fixture
def nodes(start_node, probe, tmp_path):
    journal_path = tmp_path / "missions.db"
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    probe.listen(topics.PLANNER_STATUS, topics.TREE_SNAPSHOT, topics.WORLD_STATE)
    start_node(NodeSpec(name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
                        parameters=sim.model_dump(exclude_unset=True)))  # fmt: skip
    planner = start_node(planner_spec(journal_path))
    probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's world state")
    probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    return planner, journal_path


def test_a_burst_of_commands_is_journalled_each_with_one_terminal_status(nodes, server, probe):
    _, journal_path = nodes
    server.default = plan_reply({"actions": [action("speak", "hi", 1.0, message="hi")], "reasoning": "greet"})
    commands = [f"say journal {i}" for i in range(BURST)]
    for text in commands:
        probe.publish(topics.ROBOT_COMMAND, String(data=text))
    probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == commands[-1] and s.status.terminal,
        timeout_s=30.0 + 0.1 * BURST, what="the last command's end",
    )  # fmt: skip

    def all_ended() -> list | None:
        entries = Journal.read(journal_path).commands(limit=None, newest_first=False)
        return entries if len(entries) == BURST and all(e.status is not None for e in entries) else None

    entries = wait_until(
        all_ended, timeout_s=10 + 0.02 * BURST, what=f"{BURST} ended commands in the journal"
    )
    journal = Journal.read(journal_path)
    assert [e.command for e in entries] == commands
    assert {e.source for e in entries} == {"ros-topic"}
    for entry in entries:
        events = journal.events(entry.id)
        assert [e.kind for e in events].count("ended") == 1, (entry.command, [e.kind for e in events])
        assert command_problems(entry, events) == []
    assert order_problems(journal) == []
    assert entries[-1].status is CommandOutcome.SUCCEEDED
    assert {e.status for e in entries[:-1]} <= {CommandOutcome.CANCELLED, CommandOutcome.SUCCEEDED}


def test_a_planner_killed_mid_action_has_its_command_aborted_when_restarted_on_the_journal(
    nodes, server, probe, start_node
):
    planner, journal_path = nodes
    client = probe.action_client(ExecuteCommand, "execute_command")
    assert client.wait_for_server(timeout_sec=10.0)
    server.push(plan_reply(long_plan()))
    goal = Goal(client, "walk back and wait")
    goal.wait(lambda g: any(f.action_index == 0 for f in g.feedback), 20.0, "feedback of a running action")
    planner.kill()  # SIGKILL and reap: nothing of the planner runs its shutdown
    client.destroy()
    journal = Journal.read(journal_path)
    [left_open] = journal.commands(limit=None)
    assert (left_open.command, left_open.source, left_open.status) == (
        "walk back and wait",
        "ros-action",
        None,
    )

    seen = len(probe.messages(topics.TREE_SNAPSHOT))
    restarted = start_node(planner_spec(journal_path))
    probe.wait_for(
        topics.TREE_SNAPSHOT, start=seen, timeout_s=20, what="the restarted planner's first snapshot"
    )
    closed = journal.command(left_open.id)
    assert (closed.status, closed.reason) == (CommandOutcome.ABORTED, ABORTED_REASON)
    assert journal.events(left_open.id)[-1].data["recovered"] is True
    assert order_problems(journal) == []
    assert restarted.running()
