"""``plan_command`` / ``verify_plan``, the typed ``planner_state`` and ``world_markers``, from outside.

One simulator + planner pair serves every test here (``module_ros``); the clients are plain rclpy service
clients and subscriptions on the probe's node, not project helpers.
"""

from __future__ import annotations

import json
import math
import threading
from typing import Any

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner_msgs.msg import PlanIssue, PlannerStatus
from bt_planner_msgs.srv import PlanCommand, VerifyPlan
from rclpy.qos import QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, QoSReliabilityPolicy
from std_msgs.msg import String
from visualization_msgs.msg import MarkerArray

from bt_planner.core.world import default_world
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.world_markers import ENTITY_NAMESPACES
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros

LATCHED = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST, depth=1,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL, reliability=QoSReliabilityPolicy.RELIABLE,
)  # fmt: skip
LATCHED_HISTORY = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST, depth=20,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL, reliability=QoSReliabilityPolicy.RELIABLE,
)  # fmt: skip


class Inbox:
    """Messages of one typed subscription, with a bounded wait."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, msg: Any) -> None:
        with self._cond:
            self.messages.append(msg)
            self._cond.notify_all()

    def wait_for(self, predicate: Any, timeout_s: float, what: str) -> Any:
        with self._cond:
            found: list[Any] = []

            def seen() -> bool:
                found[:] = [m for m in self.messages if predicate(m)]
                return bool(found)

            assert self._cond.wait_for(seen, timeout=timeout_s), f"no {what}; {len(self.messages)} arrived"
            return found[-1]


def call(client: Any, request: Any, timeout_s: float = 20.0) -> Any:
    done = threading.Event()
    future = client.call_async(request)
    future.add_done_callback(lambda _f: done.set())
    assert done.wait(timeout_s), f"no response from {client.srv_name} within {timeout_s:g} s"
    return future.result()


@pytest.fixture(scope="module")
def stack(module_ros):
    probe = module_ros.probe
    probe.listen(topics.GOAL_POSE, topics.GOAL_STATUS, topics.TREE_SNAPSHOT, topics.WORLD_STATE)
    markers, states = Inbox(), Inbox()
    probe.node.create_subscription(MarkerArray, topics.WORLD_MARKERS.name, markers, LATCHED)
    probe.node.create_subscription(PlannerStatus, topics.PLANNER_STATE.name, states, LATCHED_HISTORY)
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(tick_period_s=0.05)
    module_ros.start(
        NodeSpec(
            name="sim",
            executable="bt-planner-sim",
            module="bt_planner.ros.sim_node",
            parameters=sim.model_dump(exclude_unset=True),
        )
    )
    module_ros.start(NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                              parameters=planner.model_dump(exclude_unset=True)))  # fmt: skip
    probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    plan_client = probe.node.create_client(PlanCommand, "/plan_command")
    verify_client = probe.node.create_client(VerifyPlan, "/verify_plan")
    assert plan_client.wait_for_service(timeout_sec=10.0) and verify_client.wait_for_service(timeout_sec=10.0)
    return module_ros, plan_client, verify_client, markers, states


def test_plan_command_returns_the_seed_plan_and_nothing_moves(stack):
    ros, plan_client, _, _, _ = stack
    ros.server.push(plan_reply(kitchen_plan()))
    response = call(plan_client, PlanCommand.Request(command=KITCHEN_COMMAND))
    assert response.success, response.message
    steps = [step.action_type for step in response.plan.steps]
    assert steps == ["navigate", "detect", "grasp", "navigate", "place"]
    assert not [i for i in response.issues if i.severity == PlanIssue.SEVERITY_ERROR]
    assert response.plan.steps[0].has_target and response.plan.steps[0].target_name == "kitchen"
    assert json.loads(response.plan.wire_json)["actions"][2]["parameters"]["object_id"] == "red_cup"
    # nothing moved: the planner sent the robot no goal, and the robot is idle
    assert ros.probe.messages(topics.GOAL_POSE) == []
    assert all('"running"' not in m.data for m in ros.probe.messages(topics.GOAL_STATUS))


def test_plan_command_refuses_an_empty_command_with_an_issue(stack):
    _, plan_client, _, _, _ = stack
    response = call(plan_client, PlanCommand.Request(command="  "))
    assert not response.success
    assert [i.rule for i in response.issues] == ["command.empty"]


def test_verify_plan_of_an_unsafe_plan_names_the_rule_and_the_numbers(stack):
    _, _, verify_client, _, _ = stack
    unsafe = {"actions": [action("wait", "wait a day", 1.0, duration_seconds=86_400)], "reasoning": "r"}
    response = call(verify_client, VerifyPlan.Request(plan_json=json.dumps(unsafe)))
    assert not response.valid
    errors = [i for i in response.issues if i.severity == PlanIssue.SEVERITY_ERROR]
    assert errors, response.message
    issue = errors[0]
    assert issue.rule and issue.action_index == 0, (issue.rule, issue.message)
    assert issue.value == 86_400 and math.isfinite(issue.limit) and issue.limit < issue.value
    assert issue.rule in response.message
    safe = call(verify_client, VerifyPlan.Request(plan_json=json.dumps(kitchen_plan())))
    assert safe.valid, safe.message
    broken = call(verify_client, VerifyPlan.Request(plan_json="{not json"))
    assert not broken.valid and broken.issues[0].code == "invalid_json"


def test_world_markers_have_one_marker_per_world_entity(stack):
    _, _, _, markers, _ = stack
    world = default_world()
    expected = {
        "locations": len(world.locations),
        "objects": len(world.objects),
        "obstacles": len(world.obstacles),
        "forbidden_zones": len(world.forbidden_zones),
    }
    latest = markers.wait_for(lambda m: len(m.markers) > 1, 10.0, "world markers")
    counts = {ns: sum(1 for m in latest.markers if m.ns == ns) for ns in ENTITY_NAMESPACES}
    assert counts == expected
    assert all(m.header.frame_id == "map" for m in latest.markers[1:])


def test_a_command_shows_typed_planner_state_and_its_plan_as_markers(stack):
    ros, _, _, markers, states = stack
    ros.server.push(
        plan_reply({"actions": [action("navigate", "go", 3.0, location_name="table")], "reasoning": "r"})
    )
    ros.probe.publish(topics.ROBOT_COMMAND, String(data="go to the table"))
    done = states.wait_for(
        lambda s: s.command == "go to the table" and s.status == PlannerStatus.SUCCEEDED, 20.0, "SUCCEEDED"
    )
    assert done.status_name == "SUCCEEDED" and done.stamp.sec > 0
    names = [s.status_name for s in states.messages if s.command == "go to the table"]
    assert names[0] == "RECEIVED_COMMAND" and "EXECUTING" in names
    running = markers.wait_for(
        lambda m: any(k.ns == "plan_targets" and k.scale.x > 0.2 for k in m.markers), 10.0, "the running step"
    )
    path = [k for k in running.markers if k.ns == "plan_path"]
    assert len(path) == 1 and len(path[0].points) == 2
