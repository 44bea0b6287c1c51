"""``Nav2Robot`` end to end: the planner node (robot_adapter nav2) → NavigateToPose → the fake Nav2 server →
the simulator, each in its own process, over DDS on loopback. Also the nav2_msgs type hash against Kilted's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("nav2_msgs", reason="nav2_msgs not installed (make test installs it)")

import nav2_msgs
from std_msgs.msg import Bool, String

from bt_planner.core.world import World
from bt_planner.ros import topics
from bt_planner.ros.fake_nav2_server import EVENTS
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.nav2_navigation import KILTED_TYPE_HASH
from bt_planner.ros.node_parameters import FakeNav2Parameters, PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import FeedbackMessage, PlannerStatus, StatusMessage
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros

S = PlannerStatus


def sim_spec(time_scale: float = 10.0) -> NodeSpec:
    params = SimNodeParameters(time_scale=time_scale)
    return NodeSpec(
        name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
        parameters=params.model_dump(exclude_unset=True),
    )  # fmt: skip


def nav2_spec(**parameters) -> NodeSpec:
    return NodeSpec(
        name="fake_nav2", executable="bt-planner-fake-nav2", module="bt_planner.ros.fake_nav2_server",
        parameters=FakeNav2Parameters(**parameters).model_dump(exclude_unset=True),
    )  # fmt: skip


def planner_spec(**parameters) -> NodeSpec:
    params = PlannerNodeParameters(tick_period_s=0.05, robot_adapter="nav2", **parameters)
    return NodeSpec(
        name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
        parameters=params.model_dump(exclude_unset=True),
    )  # fmt: skip


def events(probe) -> list[dict]:
    return [json.loads(m.data) for m in probe.messages(EVENTS)]


def wait_terminal(probe, command: str, timeout_s: float = 30.0) -> StatusMessage:
    return probe.wait_for_payload(
        topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == command and s.status.terminal,
        timeout_s=timeout_s, what=f"a terminal status for {command!r}",
    )  # fmt: skip


@pytest.fixture
def nav2_stack(start_node, probe):
    def start(*, sim: NodeSpec | None = None, nav2: NodeSpec | None = None, planner: NodeSpec | None = None):
        probe.listen(topics.PLANNER_STATUS, topics.PLANNER_FEEDBACK, topics.WORLD_STATE, EVENTS)
        start_node(sim or sim_spec())
        if nav2 is not None:
            start_node(nav2)
        start_node(planner or planner_spec())
        probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's first world state")
        return probe

    return start


def test_built_navigate_to_pose_has_the_kilted_type_hash():
    share = Path(nav2_msgs.__file__).resolve().parents[4] / "share" / "nav2_msgs" / "action"
    description = json.loads((share / "NavigateToPose.json").read_text())
    hashes = {entry["type_name"]: entry["hash_string"] for entry in description["type_hashes"]}
    assert hashes["nav2_msgs/action/NavigateToPose"] == KILTED_TYPE_HASH


def test_seed_command_completes_through_nav2(nav2_stack, server):
    probe = nav2_stack(nav2=nav2_spec())
    server.push(plan_reply(kitchen_plan()))
    probe.publish(topics.ROBOT_COMMAND, String(data=KITCHEN_COMMAND))

    final = wait_terminal(probe, KITCHEN_COMMAND)
    assert final.status is S.SUCCEEDED, final.details
    probe.wait_for_payload(
        topics.WORLD_STATE,
        World,
        lambda w: w.objects["red_cup"].location == "table",
        what="the cup on the table",
    )
    seen = events(probe)
    assert [e["event"] for e in seen if e["event"] in ("accepted", "succeeded")] == [
        "accepted",
        "succeeded",
    ] * 2
    feedback = probe.payloads(topics.PLANNER_FEEDBACK, FeedbackMessage)
    assert any("m to go" in f.message for f in feedback if f.action_index == 0), [f.message for f in feedback]


def test_estop_mid_drive_reaches_nav2_as_a_cancel(nav2_stack, server):
    probe = nav2_stack(sim=sim_spec(time_scale=1.0), nav2=nav2_spec())
    plan = {"actions": [action("move", "walk back", 8.0, x=-3.0, y=0.0)], "reasoning": "walk"}
    server.push(plan_reply(plan))
    probe.publish(topics.ROBOT_COMMAND, String(data="walk back"))
    probe.wait_for_payload(
        topics.PLANNER_FEEDBACK, FeedbackMessage, lambda f: f.action_index == 0 and "m to go" in f.message,
        what="Nav2 feedback while driving",
    )  # fmt: skip

    probe.publish(topics.ESTOP, Bool(data=True))
    final = wait_terminal(probe, "walk back")
    assert final.status is S.CANCELLED, final.details
    probe.wait_for(
        EVENTS, lambda m: json.loads(m.data)["event"] == "canceled", what="the goal ending CANCELED"
    )
    kinds = [e["event"] for e in events(probe)]
    assert kinds.index("accepted") < kinds.index("cancel_requested") < kinds.index("canceled"), kinds
    world = World.model_validate_json(probe.messages(topics.WORLD_STATE)[-1].data)
    assert world.robot.pose.x > -2.5  # stopped part-way, not at the target


def test_nav2_abort_fails_the_leaf_with_nav2s_error_code(nav2_stack, server):
    probe = nav2_stack(
        nav2=nav2_spec(
            mode="abort", abort_after_fraction=0.2, abort_error_code=107, abort_error_msg="no path"
        ),
        planner=planner_spec(max_replans=0),
    )
    server.push(
        plan_reply({"actions": [action("navigate", "go", 8.0, location_name="kitchen")], "reasoning": "go"})
    )
    probe.publish(topics.ROBOT_COMMAND, String(data="go to the kitchen"))
    final = wait_terminal(probe, "go to the kitchen")
    assert final.status is S.FAILED
    assert "aborted: error code 107: no path" in final.details, final.details


def test_rejected_goal_fails_with_the_reason(nav2_stack, server):
    probe = nav2_stack(nav2=nav2_spec(mode="reject"), planner=planner_spec(max_replans=0))
    server.push(
        plan_reply({"actions": [action("navigate", "go", 8.0, location_name="kitchen")], "reasoning": "go"})
    )
    probe.publish(topics.ROBOT_COMMAND, String(data="go to the kitchen"))
    final = wait_terminal(probe, "go to the kitchen")
    assert final.status is S.FAILED and "rejected the goal" in final.details, final.details


def test_missing_server_is_reported_after_the_timeout(nav2_stack, server):
    probe = nav2_stack(planner=planner_spec(max_replans=0, nav2_server_timeout_s=1.0))
    server.push(
        plan_reply({"actions": [action("navigate", "go", 8.0, location_name="kitchen")], "reasoning": "go"})
    )
    probe.publish(topics.ROBOT_COMMAND, String(data="go to the kitchen"))
    final = wait_terminal(probe, "go to the kitchen")
    assert final.status is S.FAILED
    assert "no Nav2 action server /navigate_to_pose" in final.details, final.details


def test_a_server_of_another_type_is_reported_as_a_type_mismatch(nav2_stack, server, probe):
    """A publisher of another type on the action's feedback topic: DDS never matches, and we say why."""
    impostor = probe.node.create_publisher(String, "/navigate_to_pose/_action/feedback", 10)
    probe_stack = nav2_stack(planner=planner_spec(max_replans=0, nav2_server_timeout_s=1.0))
    server.push(
        plan_reply({"actions": [action("navigate", "go", 8.0, location_name="kitchen")], "reasoning": "go"})
    )
    probe_stack.publish(topics.ROBOT_COMMAND, String(data="go to the kitchen"))
    final = wait_terminal(probe_stack, "go to the kitchen")
    assert final.status is S.FAILED
    assert "type hash mismatch" in final.details and "std_msgs/msg/String" in final.details, final.details
    assert "nav2_msgs/action/NavigateToPose_FeedbackMessage RIHS01_" in final.details, final.details
    probe.node.destroy_publisher(impostor)
