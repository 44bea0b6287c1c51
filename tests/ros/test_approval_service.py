"""Operator approval over ROS: ``approval_requests`` and ``decide_approval`` on a planner with ``approval:=always``.

Real simulator and planner processes; the test drives them with a plain rclpy ActionClient and service client,
watches the robot side (``goal_pose``, ``speech``, the simulator's ``world_state``) and reads the journal file.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner_msgs.action import ExecuteCommand
from bt_planner_msgs.srv import DecideApproval

from bt_planner.core.world import World
from bt_planner.journal import Journal, JournalCommand, order_problems
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import ApprovalRequestsMessage, PlannerStatus, StatusMessage
from bt_planner.tree.mission import ApprovalRequest
from tests.fake_openai_server import plan_reply
from tests.ros.test_execute_command_server import GOAL_ABORTED, GOAL_SUCCEEDED, Goal
from tests.sample_plans import action

pytestmark = pytest.mark.ros

R = ExecuteCommand.Result
COMMAND = "step forward and say done"


def step_and_speak() -> dict[str, Any]:
    return {
        "actions": [
            action("move", "step forward", 2.0, x=1.0, y=0.0),
            action("speak", "say done", 1.0, message="done"),
        ],
        "reasoning": "step, then speak",
    }


def wait_until(predicate: Any, *, timeout_s: float, what: str) -> Any:
    """Poll ``predicate`` (a journal read) until it returns something truthy, at most ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout_s:g} s")
        time.sleep(0.05)


def ended(journal_path: Path, command: str) -> JournalCommand | None:
    if not journal_path.exists():
        return None
    for entry in Journal.read(journal_path).commands(limit=None, newest_first=False):
        if entry.command == command and entry.status is not None and entry.approval is not None:
            return entry
    return None


@pytest.fixture
def nodes(start_node, probe, tmp_path):
    journal_path = tmp_path / "missions.db"
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(
        tick_period_s=0.05, snapshot_period_s=0.2, approval="always", journal_path=str(journal_path)
    )
    probe.listen(
        topics.PLANNER_STATUS, topics.TREE_SNAPSHOT, topics.WORLD_STATE, topics.APPROVAL_REQUESTS,
        topics.GOAL_POSE, topics.SPEECH,
    )  # fmt: skip
    start_node(
        NodeSpec(
            name="sim",
            executable="bt-planner-sim",
            module="bt_planner.ros.sim_node",
            parameters=sim.model_dump(exclude_unset=True),
        )
    )
    start_node(NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                        parameters=planner.model_dump(exclude_unset=True)))  # fmt: skip
    probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's world state")
    probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    client = probe.action_client(ExecuteCommand, "execute_command")
    decide = probe.node.create_client(DecideApproval, "decide_approval")
    assert client.wait_for_server(timeout_sec=10.0) and decide.wait_for_service(timeout_sec=10.0)
    yield client, decide, journal_path
    client.destroy()


def call(client: Any, request: Any) -> Any:
    done = threading.Event()
    future = client.call_async(request)
    future.add_done_callback(lambda _f: done.set())
    assert done.wait(10.0), "no answer from decide_approval"
    return future.result()


def held_for_approval(probe: Any, goal: Goal) -> ApprovalRequest:
    """Wait until the plan is held; then for three more tree snapshots (ticks go on), and return the request.

    Meanwhile nothing may reach the robot: no base goal, no speech, the robot where it started.
    """
    start = probe.wait_for(topics.WORLD_STATE, timeout_s=5, what="the simulator's world state")
    requests = probe.wait_for_payload(
        topics.APPROVAL_REQUESTS, ApprovalRequestsMessage, lambda m: len(m.pending) == 1, timeout_s=20,
        what="the pending approval request",
    )  # fmt: skip
    request = requests.pending[0]
    goal.wait(
        lambda g: any(f.status_name == "AWAITING_APPROVAL" for f in g.feedback), 5.0, "AWAITING_APPROVAL"
    )
    seen = len(probe.messages(topics.TREE_SNAPSHOT))
    probe.wait_for(topics.TREE_SNAPSHOT, start=seen + 3, timeout_s=10, what="three more snapshots while held")
    assert probe.messages(topics.GOAL_POSE) == [] and probe.messages(topics.SPEECH) == []
    now = probe.messages(topics.WORLD_STATE)[-1]
    before, after = (World.model_validate_json(m.data).robot.pose for m in (start, now))
    assert (after.x, after.y) == (before.x, before.y)
    return request


def test_a_held_plan_moves_nothing_until_approved_over_the_service_then_succeeds(nodes, server, probe):
    client, decide, journal_path = nodes
    server.push(plan_reply(step_and_speak()))
    goal = Goal(client, COMMAND)
    request = held_for_approval(probe, goal)
    assert request.command == COMMAND and request.source == "ros-action"
    assert [a.action_type.value for a in request.plan.actions] == ["move", "speak"]
    assert request.reasons == ["the configured approval policy is 'always'"]
    waiting = [f for f in goal.feedback if f.status_name == "AWAITING_APPROVAL"]
    assert request.id in waiting[-1].message, waiting[-1].message

    unknown = call(decide, DecideApproval.Request(request_id="nope", approve=True, operator_name="alice"))
    assert not unknown.accepted and request.id in unknown.message
    answer = call(decide, DecideApproval.Request(request_id=request.id, approve=True, operator_name="alice"))
    assert answer.accepted, answer.message
    again = call(decide, DecideApproval.Request(request_id=request.id, approve=False, operator_name="bob"))
    assert not again.accepted and "already approved by alice via ros" in again.message

    wrapped = goal.result(timeout_s=20.0)
    assert wrapped.status == GOAL_SUCCEEDED, wrapped.result.message
    assert probe.messages(topics.GOAL_POSE), "the approved plan never drove the base"
    probe.wait_for_payload(
        topics.APPROVAL_REQUESTS, ApprovalRequestsMessage, lambda m: not m.pending, timeout_s=5,
        what="an empty approval_requests after the decision",
    )  # fmt: skip
    entry = wait_until(lambda: ended(journal_path, COMMAND), timeout_s=5, what="the journalled command")
    assert (entry.status.value, entry.source, entry.approval) == (
        "succeeded",
        "ros-action",
        "approved by alice via ros",
    )
    assert order_problems(Journal.read(journal_path)) == []


def test_a_plan_rejected_over_the_service_ends_rejected_and_nothing_moved(nodes, server, probe):
    client, decide, journal_path = nodes
    server.push(plan_reply(step_and_speak()))
    goal = Goal(client, COMMAND)
    held_for_approval(probe, goal)
    answer = call(  # an empty request_id answers the only pending request
        decide,
        DecideApproval.Request(request_id="", approve=False, reason="kitchen is busy", operator_name="bob"),
    )
    assert answer.accepted, answer.message
    wrapped = goal.result(timeout_s=10.0)
    assert wrapped.status == GOAL_ABORTED
    assert (wrapped.result.outcome, wrapped.result.error_code) == (R.OUTCOME_REJECTED, R.APPROVAL_DENIED)
    assert "plan rejected by bob via ros: kitchen is busy" in wrapped.result.message
    status = probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == COMMAND and s.status.terminal, timeout_s=5,
        what="the command's terminal status",
    )  # fmt: skip
    assert status.status is PlannerStatus.REJECTED and "kitchen is busy" in status.details
    assert probe.messages(topics.GOAL_POSE) == [] and probe.messages(topics.SPEECH) == []
    entry = wait_until(lambda: ended(journal_path, COMMAND), timeout_s=5, what="the journalled command")
    assert (entry.status.value, entry.approval) == ("rejected", "rejected by bob via ros")
    assert order_problems(Journal.read(journal_path)) == []
