"""``execute_command`` and the snapshot-stream services, driven by plain rclpy clients from outside.

The clients here are rclpy's own ``ActionClient`` and service clients on the probe's node (no project
helper talks to the planner), against the planner and simulator nodes in their own processes.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner_msgs.action import ExecuteCommand
from py_trees_ros_interfaces.msg import BehaviourTree, SnapshotStreamParameters
from py_trees_ros_interfaces.srv import CloseSnapshotStream, OpenSnapshotStream
from rclpy.action import ActionClient
from rclpy.qos import QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, QoSReliabilityPolicy
from std_msgs.msg import String

from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import PlannerStatus, StatusMessage
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros

R = ExecuteCommand.Result
GOAL_SUCCEEDED, GOAL_CANCELED, GOAL_ABORTED = 4, 5, 6  # action_msgs/GoalStatus


def long_plan() -> dict:
    return {
        "actions": [
            action("move", "step back", 6.0, x=-3.0, y=0.0),
            action("wait", "wait", 60.0, duration_seconds=60),
        ],
        "reasoning": "walk, then wait",
    }


def specs() -> tuple[NodeSpec, NodeSpec]:
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(tick_period_s=0.05, snapshot_period_s=0.5)
    return (
        NodeSpec(name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
                 parameters=sim.model_dump(exclude_unset=True)),
        NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                 parameters=planner.model_dump(exclude_unset=True)),
    )  # fmt: skip


class Goal:
    """One goal sent with a plain ActionClient: its handle, feedback and result, with bounded waits."""

    def __init__(self, client: ActionClient, command: str, **fields: Any) -> None:
        self.feedback: list[Any] = []
        self.results: list[Any] = []
        self.handle: Any = None
        self._cond = threading.Condition()
        future = client.send_goal_async(
            ExecuteCommand.Goal(command=command, **fields), feedback_callback=self._on_feedback
        )
        future.add_done_callback(self._on_response)

    def _on_feedback(self, msg: Any) -> None:
        with self._cond:
            self.feedback.append(msg.feedback)
            self._cond.notify_all()

    def _on_response(self, future: Any) -> None:
        handle = future.result()
        with self._cond:
            self.handle = handle
            self._cond.notify_all()
        if handle.accepted:
            handle.get_result_async().add_done_callback(self._on_result)

    def _on_result(self, future: Any) -> None:
        with self._cond:
            self.results.append(future.result())
            self._cond.notify_all()

    def wait(self, predicate: Any, timeout_s: float, what: str) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout=timeout_s):
                raise AssertionError(f"no {what} within {timeout_s:g} s; feedback: {self.feedback[-3:]}")

    def result(self, timeout_s: float = 20.0) -> Any:
        self.wait(lambda g: g.results, timeout_s, "result")
        return self.results[0]


@pytest.fixture
def nodes(start_node, probe):
    sim, planner = specs()
    probe.listen(topics.PLANNER_STATUS, topics.TREE_SNAPSHOT, topics.GOAL_STATUS, topics.WORLD_STATE)
    processes = start_node(sim), start_node(planner)
    probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's world state")
    probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    deep = QoSProfile(depth=1000)  # rclpy's default (10) would drop requests of a 100-goal burst
    client = probe.action_client(
        ExecuteCommand, "execute_command",
        goal_service_qos_profile=deep, result_service_qos_profile=deep, cancel_service_qos_profile=deep,
    )  # fmt: skip
    assert client.wait_for_server(timeout_sec=10.0)
    yield client, processes
    client.destroy()


def test_seed_command_gets_feedback_for_every_action_and_succeeds(nodes, server):
    client, _ = nodes
    server.push(plan_reply(kitchen_plan()))
    goal = Goal(client, KITCHEN_COMMAND)
    wrapped = goal.result(timeout_s=40.0)
    assert wrapped.status == GOAL_SUCCEEDED, wrapped.result.message
    result = wrapped.result
    assert (result.outcome, result.error_code) == (R.OUTCOME_SUCCEEDED, R.NONE)
    steps = [step.action_type for step in result.executed_plan.steps]
    assert steps == [a["action_type"] for a in kitchen_plan()["actions"]]
    seen = {f.action_index for f in goal.feedback if f.action_index >= 0}
    assert seen == set(range(len(steps))), [(f.status_name, f.action_index) for f in goal.feedback]
    assert all(f.action_count == len(steps) for f in goal.feedback if f.action_index >= 0)
    assert {f.status_name for f in goal.feedback} >= {"PLANNING_STARTED", "EXECUTING"}


def test_cancel_mid_action_stops_the_robot_within_half_a_second(nodes, server, probe):
    client, _ = nodes
    server.push(plan_reply(long_plan()))
    goal = Goal(client, "walk back and wait")
    goal.wait(lambda g: any(f.action_index == 0 for f in g.feedback), 20.0, "feedback of a running action")
    clock = probe.node.get_clock()
    started = clock.now()
    goal.handle.cancel_goal_async()
    wrapped = goal.result(timeout_s=5.0)
    elapsed_s = (clock.now() - started).nanoseconds / 1e9
    assert wrapped.status == GOAL_CANCELED
    assert (wrapped.result.outcome, wrapped.result.error_code) == (R.OUTCOME_CANCELLED, R.CANCEL_REQUESTED)
    assert elapsed_s < 0.5, elapsed_s
    last = probe.wait_for(
        topics.GOAL_STATUS,
        lambda m: GoalStatus.model_validate_json(m.data).state is not GoalState.RUNNING,
        timeout_s=2.0, what="the robot's goal leaving RUNNING",
    )  # fmt: skip
    assert GoalStatus.model_validate_json(last.data).state is GoalState.CANCELLED


def test_a_burst_of_100_goals_each_preempting_the_last_gets_one_result_each(nodes, server):
    client, (_, planner) = nodes
    server.push(plan_reply({"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"}))
    goals = [Goal(client, f"say hello {i}") for i in range(100)]
    for goal in goals:
        goal.result(timeout_s=30.0)
    # each goal's result callback appends to its own list: exactly one result per goal
    assert [len(g.results) for g in goals] == [1] * 100
    codes = {g.results[0].result.error_code for g in goals[:-1]}
    assert codes <= {R.PREEMPTED, R.NO_SAFE_PLAN}, codes
    assert planner.running()
    assert Goal(client, "").result().result.error_code == R.EMPTY_COMMAND  # still answering


@pytest.mark.parametrize(
    ("fields", "code", "words"),
    [
        ({"command": ""}, R.EMPTY_COMMAND, "empty"),
        ({"command": "x" * 1_000_000}, R.COMMAND_TOO_LONG, "1000000 characters"),
        ({"command": "say hi", "world_file": "/nonexistent/world.yaml"}, R.WORLD_NOT_FOUND, "not found"),
    ],
    ids=["empty", "1MB", "unknown-world"],
)
def test_malformed_goals_are_aborted_with_a_code_and_a_message(nodes, fields, code, words):
    client, (_, planner) = nodes
    command = fields.pop("command")
    wrapped = Goal(client, command, **fields).result()
    assert wrapped.status == GOAL_ABORTED
    assert (wrapped.result.outcome, wrapped.result.error_code) == (R.OUTCOME_REJECTED, code)
    assert words in wrapped.result.message
    assert planner.running()


def test_a_py_trees_ros_client_opens_a_snapshot_stream_receives_snapshots_and_closes_it(nodes, probe):
    node = probe.node
    open_client = node.create_client(OpenSnapshotStream, "/planner/snapshot_streams/open")
    close_client = node.create_client(CloseSnapshotStream, "/planner/snapshot_streams/close")
    assert open_client.wait_for_service(timeout_sec=10.0) and close_client.wait_for_service(timeout_sec=10.0)

    def call(client: Any, request: Any) -> Any:
        done = threading.Event()
        future = client.call_async(request)
        future.add_done_callback(lambda _f: done.set())
        assert done.wait(10.0)
        return future.result()

    params = SnapshotStreamParameters(snapshot_period=0.2, blackboard_data=True, blackboard_activity=False)
    topic = call(open_client, OpenSnapshotStream.Request(topic_name="", parameters=params)).topic_name
    assert topic.startswith("/planner/snapshot_streams/")
    received: list[Any] = []
    got = threading.Event()

    def on_snapshot(msg: Any) -> None:
        received.append(msg)
        if len(received) >= 2:
            got.set()

    latched = QoSProfile(
        history=QoSHistoryPolicy.KEEP_LAST, depth=1,
        durability=QoSDurabilityPolicy.TRANSIENT_LOCAL, reliability=QoSReliabilityPolicy.RELIABLE,
    )  # fmt: skip
    node.create_subscription(BehaviourTree, topic, on_snapshot, latched)
    assert got.wait(10.0), f"{len(received)} snapshot(s) on {topic}"
    tree = received[-1]
    names = [b.name for b in tree.behaviours]
    roots = [b for b in tree.behaviours if not any(b.parent_id.uuid)]
    assert len(roots) == 1 and len(roots[0].child_ids) >= 1, names
    ids = {bytes(b.own_id.uuid) for b in tree.behaviours}
    assert all(bytes(c.uuid) in ids for b in tree.behaviours for c in b.child_ids), names
    assert tree.statistics.count > 0 and tree.blackboard_on_visited_path
    assert call(close_client, CloseSnapshotStream.Request(topic_name=topic)).result is True
    assert call(close_client, CloseSnapshotStream.Request(topic_name=topic)).result is False


def test_sigint_mid_action_publishes_cancelled_shutdown_before_the_planner_exits(nodes, server, probe):
    client, (_, planner) = nodes
    server.push(plan_reply(long_plan()))
    goal = Goal(client, "walk back and wait")
    goal.wait(lambda g: any(f.action_index == 0 for f in g.feedback), 20.0, "feedback of a running action")
    planner.signal(signal.SIGINT)
    assert planner.wait(timeout_s=10.0) == 0
    cancelled = probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage,
        lambda s: s.command == "walk back and wait" and s.status.terminal, timeout_s=1.0,
        what="the terminal status published before exit",
    )  # fmt: skip
    assert cancelled.status is PlannerStatus.CANCELLED and cancelled.details == "shutdown"
    wrapped = goal.result(timeout_s=1.0)
    assert (wrapped.status, wrapped.result.error_code) == (GOAL_ABORTED, R.SHUTDOWN)


def test_a_burst_of_200_commands_on_robot_command_gets_one_terminal_status_each(nodes, probe):
    _, (_, planner) = nodes
    commands = [f"say burst {i}" for i in range(200)] + ["", "y" * 20_000]
    for text in commands:
        probe.publish(topics.ROBOT_COMMAND, String(data=text))
    probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage,
        lambda s: s.command == "say burst 199" and s.status.terminal, timeout_s=30.0, what="the last one's end",
    )  # fmt: skip
    terminal: dict[str | None, list[PlannerStatus]] = {}
    for status in probe.payloads(topics.PLANNER_STATUS, StatusMessage):
        if status.status.terminal:
            terminal.setdefault(status.command, []).append(status.status)
    burst = [terminal.get(c) for c in commands[:200]]
    assert [len(t or []) for t in burst] == [1] * 200
    assert terminal[""] == [PlannerStatus.REJECTED] and terminal["y" * 200] == [PlannerStatus.REJECTED]
    assert planner.running()
