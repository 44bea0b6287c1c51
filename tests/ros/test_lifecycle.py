"""The planner node as a managed (lifecycle) node, driven by a plain rclpy client from outside.

One simulator and one planner (``autostart:=false``) serve the whole module; the client is rclpy's own
service clients for ``lifecycle_msgs`` (``~/change_state``, ``~/get_state``) and ``rcl_interfaces``
(``~/set_parameters``) on the probe's node, and rclpy's ``ActionClient`` for ``execute_command``.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner_msgs.action import ExecuteCommand
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from std_msgs.msg import String

from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import PlannerStatus, StatusMessage
from tests.fake_openai_server import plan_reply
from tests.ros.test_execute_command_server import Goal, long_plan
from tests.sample_plans import action

pytestmark = pytest.mark.ros

R = ExecuteCommand.Result
GOAL_SUCCEEDED, GOAL_ABORTED = 4, 6  # action_msgs/GoalStatus
T = Transition


def call(client: Any, request: Any, timeout_s: float = 20.0) -> Any:
    assert client.wait_for_service(timeout_sec=10.0), f"no service {client.srv_name}"
    done = threading.Event()
    future = client.call_async(request)
    future.add_done_callback(lambda _f: done.set())
    assert done.wait(timeout_s), f"no answer from {client.srv_name} within {timeout_s:g} s"
    return future.result()


class Lifecycle:
    """The planner's lifecycle services, called with plain rclpy clients."""

    def __init__(self, node: Any, name: str) -> None:
        self.change_client = node.create_client(ChangeState, f"/{name}/change_state")
        self.get_client = node.create_client(GetState, f"/{name}/get_state")
        self.params_client = node.create_client(SetParameters, f"/{name}/set_parameters")

    def change(self, transition_id: int) -> bool:
        request = ChangeState.Request()
        request.transition.id = transition_id
        return bool(call(self.change_client, request).success)

    def state(self) -> str:
        return str(call(self.get_client, GetState.Request()).current_state.label)

    def set_world_file(self, path: str) -> None:
        value = ParameterValue(type=ParameterType.PARAMETER_STRING, string_value=path)
        answer = call(
            self.params_client, SetParameters.Request(parameters=[Parameter(name="world_file", value=value)])
        )
        assert answer.results[0].successful, answer.results[0].reason

    def to_unconfigured(self) -> None:
        """From active or inactive (a test that failed half-way) back to unconfigured."""
        if self.state() == "active":
            assert self.change(T.TRANSITION_DEACTIVATE)
        if self.state() == "inactive":
            assert self.change(T.TRANSITION_CLEANUP)
        assert self.state() == "unconfigured"


@pytest.fixture(scope="module")
def stack(module_ros):
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(tick_period_s=0.05, snapshot_period_s=0.5, autostart=False)
    module_ros.probe.listen(topics.PLANNER_STATUS, topics.GOAL_STATUS, topics.WORLD_STATE)
    module_ros.start(
        NodeSpec(name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
                 parameters=sim.model_dump(exclude_unset=True))
    )  # fmt: skip
    process = module_ros.start(
        NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                 parameters=planner.model_dump(exclude_unset=True))
    )  # fmt: skip
    module_ros.probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's world state")
    lifecycle = Lifecycle(module_ros.probe.node, "planner")
    client = module_ros.probe.action_client(ExecuteCommand, "execute_command")
    assert client.wait_for_server(timeout_sec=10.0)
    yield module_ros, lifecycle, client, process
    client.destroy()


def test_configure_with_an_unknown_world_fails_and_the_node_stays_unconfigured(stack):
    _, lifecycle, _, process = stack
    lifecycle.to_unconfigured()
    lifecycle.set_world_file("/nonexistent/lifecycle-world.yaml")
    try:
        assert lifecycle.change(T.TRANSITION_CONFIGURE) is False
        assert lifecycle.state() == "unconfigured"
        assert (
            "configure failed" in process.output() and "/nonexistent/lifecycle-world.yaml" in process.output()
        )
        assert process.running()
    finally:
        lifecycle.set_world_file("")
    assert lifecycle.change(T.TRANSITION_CONFIGURE)  # the packaged world again: configures
    assert lifecycle.state() == "inactive"
    lifecycle.to_unconfigured()


def test_configure_activate_deactivate_mid_action_reactivate_cleanup_shutdown(stack):
    ros, lifecycle, client, _ = stack
    probe = ros.probe
    lifecycle.to_unconfigured()

    assert lifecycle.change(T.TRANSITION_CONFIGURE) and lifecycle.state() == "inactive"
    assert lifecycle.change(T.TRANSITION_ACTIVATE) and lifecycle.state() == "active"
    ros.server.push(
        plan_reply({"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"})
    )
    first = Goal(client, "say hello").result(timeout_s=30.0)
    assert first.status == GOAL_SUCCEEDED, first.result.message

    ros.server.push(plan_reply(long_plan()))
    walking = Goal(client, "walk back and wait")
    walking.wait(lambda g: any(f.action_index == 0 for f in g.feedback), 20.0, "feedback of a running action")
    robot_goals = len(probe.messages(topics.GOAL_STATUS))
    assert lifecycle.change(T.TRANSITION_DEACTIVATE) and lifecycle.state() == "inactive"
    ended = walking.result(timeout_s=5.0)
    assert ended.result.outcome == R.OUTCOME_CANCELLED, ended.result.message
    assert "deactivated" in ended.result.message
    stopped = probe.wait_for(
        topics.GOAL_STATUS,
        lambda m: GoalStatus.model_validate_json(m.data).state is not GoalState.RUNNING,
        start=robot_goals, timeout_s=2.0, what="the robot's goal leaving RUNNING",
    )  # fmt: skip
    assert GoalStatus.model_validate_json(stopped.data).state is GoalState.CANCELLED

    # inactive: goals are aborted NOT_ACTIVE, commands REJECTED, the robot gets no goal
    refused = Goal(client, "say hello again").result()
    assert refused.status == GOAL_ABORTED and refused.result.error_code == R.NOT_ACTIVE, (
        refused.result.message
    )
    probe.publish(topics.ROBOT_COMMAND, String(data="while inactive"))
    rejected = probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == "while inactive", what="a status",
    )  # fmt: skip
    assert rejected.status is PlannerStatus.REJECTED and "node is inactive" in rejected.details
    seen = probe.messages(topics.GOAL_STATUS)
    stopped_at = next(index for index, msg in enumerate(seen) if msg is stopped)
    after = [GoalStatus.model_validate_json(msg.data) for msg in seen[stopped_at + 1 :]]
    assert all(status.state is not GoalState.RUNNING for status in after), after

    assert lifecycle.change(T.TRANSITION_ACTIVATE) and lifecycle.state() == "active"
    ros.server.push(
        plan_reply({"actions": [action("speak", "hi", 1.0, message="back")], "reasoning": "greet"})
    )
    again = Goal(client, "say you are back").result(timeout_s=30.0)
    assert again.status == GOAL_SUCCEEDED, again.result.message

    assert lifecycle.change(T.TRANSITION_DEACTIVATE) and lifecycle.change(T.TRANSITION_CLEANUP)
    assert lifecycle.state() == "unconfigured"
    assert Goal(client, "say hello").result().result.error_code == R.NOT_ACTIVE
    assert lifecycle.change(T.TRANSITION_UNCONFIGURED_SHUTDOWN) and lifecycle.state() == "finalized"
