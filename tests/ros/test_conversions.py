"""Message conversions and JSON payloads (no processes; needs the message packages)."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

pytest.importorskip("rclpy")

from std_msgs.msg import String

from bt_planner.core.geometry import Pose
from bt_planner.core.state import GripperState
from bt_planner.robot.robot_goals import DriveGoal, GraspGoal, TurnGoal
from bt_planner.ros import conversions
from bt_planner.ros.payloads import (
    CancelRequest,
    GoalRequest,
    GripperReading,
    PlannerStatus,
    StatusMessage,
    parse_robot_request,
)


@pytest.mark.parametrize("yaw", [0.0, 0.5, -1.2, math.pi - 1e-6, -math.pi + 1e-6, 3.0])
def test_yaw_survives_a_quaternion(yaw):
    assert conversions.yaw_from_quaternion(conversions.quaternion_from_yaw(yaw)) == pytest.approx(
        yaw, abs=1e-9
    )


def test_odometry_round_trip_keeps_pose_and_stamp():
    pose = Pose(x=1.5, y=-2.0, z=0.1, yaw=2.0)
    msg = conversions.odometry_from_pose(
        pose, stamp_ns=1_700_000_000_123_456_789, frame_id="map", child_frame_id="base_link", linear_mps=0.4
    )
    back = conversions.pose_from_odometry(msg)
    assert (back.x, back.y, back.z) == (1.5, -2.0, 0.1)
    assert back.yaw == pytest.approx(2.0)
    assert conversions.ns_from_stamp(msg.header.stamp) == 1_700_000_000_123_456_789
    assert msg.twist.twist.linear.x == 0.4 and msg.child_frame_id == "base_link"


def test_battery_is_a_fraction_on_the_wire_and_nan_reads_as_empty():
    msg = conversions.battery_from_percent(85.0, stamp_ns=0)
    assert msg.percentage == pytest.approx(0.85)
    assert conversions.percent_from_battery(msg) == pytest.approx(85.0)
    msg.percentage = float("nan")
    assert conversions.percent_from_battery(msg) == 0.0


def test_joint_states_map_names_to_positions():
    msg = conversions.joint_state_from_positions({"elbow": 0.5, "wrist": -0.25}, stamp_ns=5)
    assert conversions.positions_from_joint_state(msg) == {"elbow": 0.5, "wrist": -0.25}


def test_pose_goals_come_back_as_drive_or_turn():
    here = Pose(x=1.0, y=1.0, yaw=0.3)
    drive = conversions.pose_stamped_from_goal(
        DriveGoal(x=4.0, y=5.0), current=here, goal_id=42, frame_id="map"
    )
    assert conversions.ns_from_stamp(drive.header.stamp) == 42
    assert conversions.yaw_from_quaternion(drive.pose.orientation) == pytest.approx(math.atan2(4.0, 3.0))
    assert conversions.goal_from_pose_stamped(drive, current=here) == DriveGoal(x=4.0, y=5.0)
    turn = conversions.pose_stamped_from_goal(TurnGoal(yaw=-1.0), current=here, goal_id=43, frame_id="map")
    back = conversions.goal_from_pose_stamped(turn, current=here)
    assert isinstance(back, TurnGoal) and back.yaw == pytest.approx(-1.0)


def test_json_payloads_parse_and_reject():
    request = parse_robot_request(
        GoalRequest(goal_id=7, goal=GraspGoal(object_id="red_cup")).model_dump_json()
    )
    assert isinstance(request, GoalRequest) and request.goal == GraspGoal(object_id="red_cup")
    assert isinstance(parse_robot_request('{"op": "cancel", "goal_id": 7}'), CancelRequest)
    with pytest.raises(ValidationError):
        parse_robot_request('{"op": "goal", "goal_id": 7, "goal": {"kind": "fly"}}')
    reading = conversions.model_from_string(
        String(data='{"state": "holding", "holding": "red_cup"}'), GripperReading
    )
    assert reading.state is GripperState.HOLDING
    status = StatusMessage.model_validate_json('{"status": "SUCCEEDED", "timestamp": 1.0, "extra": 1}')
    assert status.status.terminal and not PlannerStatus.EXECUTING.terminal
