"""``TopicToBlackboard`` and ``StateTopics`` in the test process, fed by real DDS messages on loopback."""

from __future__ import annotations

import time

import py_trees
import pytest

pytest.importorskip("rclpy")

import rclpy
from py_trees.common import Status
from std_msgs.msg import String

from bt_planner.core.geometry import Pose
from bt_planner.core.state import GripperState, RobotState
from bt_planner.ros import conversions, qos, topics
from bt_planner.ros.payloads import GripperReading
from bt_planner.ros.state_topics import StateTopics
from bt_planner.ros.to_blackboard import TopicToBlackboard

pytestmark = pytest.mark.ros


@pytest.fixture(autouse=True)
def _activity_stream():
    """Record blackboard activity; the root conftest's clean blackboard drops the stream afterwards."""
    py_trees.blackboard.Blackboard.enable_activity_stream(maximum_size=10)


@pytest.fixture
def host(probe):
    """A node on the probe's context and executor, to own the leaves' subscriptions."""
    node = rclpy.create_node("leaf_host", context=probe.context)
    probe.executor.add_node(node)
    yield node
    probe.executor.remove_node(node)
    node.destroy_node()


def tick_until(behaviour, status, timeout_s=5.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        behaviour.tick_once()
        if behaviour.status == status:
            return
        time.sleep(0.01)
    raise AssertionError(f"{behaviour.name} stayed {behaviour.status} ({behaviour.feedback_message})")


def test_leaf_writes_the_latest_converted_message_and_drops_malformed_ones(probe, host):
    now = [100.0]
    leaf = TopicToBlackboard(
        "gripper",
        topic_name=topics.GRIPPER_STATE.name,
        topic_type=String,
        qos_profile=qos.for_topic(topics.GRIPPER_STATE),
        blackboard_key="/test/gripper",
        convert=lambda msg: conversions.model_from_string(msg, GripperReading),
        clock=lambda: now[0],
    )
    leaf.setup(node=host)
    leaf.tick_once()
    assert leaf.status == Status.RUNNING and "waiting" in leaf.feedback_message
    assert leaf.age_s() == float("inf")

    deadline = time.monotonic() + 5.0
    while not leaf.received():  # best effort: repeat until a sample got through
        assert time.monotonic() < deadline, "no gripper message arrived"
        probe.publish(topics.GRIPPER_STATE, String(data="not json"))
        leaf.tick_once()
        if not leaf.received():  # checked after the tick, so nothing valid had arrived during it
            assert leaf.status == Status.RUNNING, "a malformed message must not count as data"
        probe.publish(topics.GRIPPER_STATE, String(data='{"state": "holding", "holding": "red_cup"}'))
        time.sleep(0.02)
    tick_until(leaf, Status.SUCCESS)
    stored = py_trees.blackboard.Blackboard.get("/test/gripper")
    assert stored == GripperReading(state=GripperState.HOLDING, holding="red_cup")
    now[0] += 3.5
    assert leaf.age_s() == pytest.approx(3.5)
    leaf.shutdown()


def test_state_topics_assemble_robot_state_and_report_stale_topics(probe, host):
    state_topics = StateTopics()
    state_topics.setup(host)
    fallback = RobotState(battery_percent=85.0)
    assert state_topics.age_s() == float("inf")
    assert state_topics.stale_topics(1.0) == ["odom", "battery_state", "gripper_state"]

    pose = Pose(x=2.0, y=1.0, yaw=0.5)
    odom = conversions.odometry_from_pose(pose, stamp_ns=1, frame_id="map", child_frame_id="base")
    gripper = conversions.string_from_model(GripperReading(state=GripperState.CLOSED))
    # sensor QoS is best effort: repeat, as a robot does, until the samples got through
    deadline = time.monotonic() + 5.0
    while not (state_topics.pose.received() and state_topics.gripper.received()):
        assert time.monotonic() < deadline, "state messages did not arrive"
        probe.publish(topics.ODOM, odom)
        probe.publish(topics.GRIPPER_STATE, gripper)
        time.sleep(0.02)
    state_topics.root.tick_once()
    state = state_topics.state(fallback)
    assert state.pose.x == 2.0 and state.pose.yaw == pytest.approx(0.5)
    assert state.gripper is GripperState.CLOSED
    assert state.battery_percent == 85.0  # not received yet: from the fallback
    assert state_topics.stale_topics(1.0) == ["battery_state"]
    assert state_topics.root.status == Status.RUNNING  # the battery is required and still missing
    battery = conversions.battery_from_percent(50.0, stamp_ns=2)
    while not state_topics.battery.received():
        assert time.monotonic() < deadline + 5.0, "battery message did not arrive"
        probe.publish(topics.BATTERY, battery)
        time.sleep(0.02)
    state_topics.root.tick_once()
    assert state_topics.root.status == Status.SUCCESS  # joint states are optional
    assert state_topics.state(fallback).battery_percent == pytest.approx(50.0)
    state_topics.shutdown()
