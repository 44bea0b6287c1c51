"""The simulator node in its own process: state topics, goals over standard messages, cancel, world state."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("rclpy")

from geometry_msgs.msg import Twist

from bt_planner.core.world import World
from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.robot.robot_goals import DetectGoal, DriveGoal, GraspGoal
from bt_planner.ros import conversions, topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.payloads import DetectionsMessage, GoalRequest, GripperReading

pytestmark = pytest.mark.ros

SIM = NodeSpec(
    name="sim_under_test",
    executable="bt-planner-sim",
    module="bt_planner.ros.sim_node",
    parameters={"time_scale": 10.0, "state_rate_hz": 20.0},
)


def _status_of(goal_id: int, state: GoalState):
    return lambda s: s.goal_id == goal_id and s.state is state


def test_sim_node_obeys_goals_and_publishes_state(start_node, probe):
    probe.listen(topics.ODOM, topics.GOAL_STATUS, topics.WORLD_STATE, topics.GRIPPER_STATE, topics.DETECTIONS)
    start_node(SIM)
    first = probe.wait_for(topics.WORLD_STATE, what="initial world state")
    assert World.model_validate_json(first.data).robot.pose.x == 0.0
    odom = probe.wait_for(topics.ODOM, what="odometry")
    assert odom.header.frame_id == "map" and odom.child_frame_id == "base_link"

    # a drive goal as a PoseStamped; its stamp is its id
    now = probe.node.get_clock().now().nanoseconds
    pose = conversions.pose_stamped_from_goal(
        DriveGoal(x=3.0, y=2.0), current=conversions.pose_from_odometry(odom), goal_id=now, frame_id="map"
    )
    probe.publish(topics.GOAL_POSE, pose)
    done = probe.wait_for_payload(
        topics.GOAL_STATUS,
        GoalStatus,
        _status_of(now, GoalState.SUCCEEDED),
        timeout_s=10,
        what="drive succeeded",
    )
    assert done.kind == "drive" and done.progress == 1.0
    # odometry after the goal succeeded shows the robot at the goal (within the sim's 2 cm tolerance)
    seen = len(probe.messages(topics.ODOM))
    arrived = conversions.pose_from_odometry(probe.wait_for(topics.ODOM, start=seen))
    assert math.hypot(arrived.x - 3.0, arrived.y - 2.0) < 0.03

    # detect and grasp over the manipulation topic (JSON)
    probe.publish(
        topics.MANIPULATION,
        conversions.string_from_model(GoalRequest(goal_id=now + 1, goal=DetectGoal(object_type="cup"))),
    )
    probe.wait_for_payload(
        topics.GOAL_STATUS, GoalStatus, _status_of(now + 1, GoalState.SUCCEEDED), what="detect"
    )
    seen = probe.wait_for_payload(topics.DETECTIONS, DetectionsMessage, lambda d: bool(d.detections))
    assert seen.detections[0].object_id == "red_cup"
    probe.publish(
        topics.MANIPULATION,
        conversions.string_from_model(GoalRequest(goal_id=now + 2, goal=GraspGoal(object_id="red_cup"))),
    )
    probe.wait_for_payload(
        topics.GOAL_STATUS, GoalStatus, _status_of(now + 2, GoalState.SUCCEEDED), what="grasp"
    )
    holding = probe.wait_for_payload(topics.GRIPPER_STATE, GripperReading, lambda g: g.holding == "red_cup")
    assert holding.state.value == "holding"

    # a zero twist on cmd_vel stops a running drive: it ends cancelled, short of its target
    far = conversions.pose_stamped_from_goal(
        DriveGoal(x=-3.0, y=-3.0), current=arrived, goal_id=now + 3, frame_id="map"
    )
    probe.publish(topics.GOAL_POSE, far)
    probe.wait_for_payload(
        topics.GOAL_STATUS, GoalStatus, _status_of(now + 3, GoalState.RUNNING), what="drive running"
    )
    probe.publish(topics.CMD_VEL, Twist())
    stopped = probe.wait_for_payload(topics.GOAL_STATUS, GoalStatus, _status_of(now + 3, GoalState.CANCELLED))
    assert stopped.message == "cancelled"
    world = probe.wait_for_payload(topics.WORLD_STATE, World, lambda w: w.robot.holding == "red_cup")
    assert world.robot.pose.x > -2.0
