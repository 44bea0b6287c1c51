"""Conversions between bt_planner values and standard ROS messages.

Units follow REP 103 on both sides (metres, radians); only the battery differs: ``BatteryState.percentage``
is a fraction in [0, 1] while ``RobotState.battery_percent`` is 0-100. Goal ids are integer nanoseconds of
the goal's send time; a ``PoseStamped`` goal carries its id as its ``header.stamp``.
"""

from __future__ import annotations

import math
from typing import Any, TypeVar

from geometry_msgs.msg import PoseStamped, Quaternion, Twist
from nav_msgs.msg import Odometry
from pydantic import BaseModel
from rclpy.time import Time
from sensor_msgs.msg import BatteryState, JointState
from std_msgs.msg import String

from bt_planner.core.geometry import Pose
from bt_planner.robot.robot_goals import DriveGoal, TurnGoal

ModelT = TypeVar("ModelT", bound=BaseModel)

NS_PER_S = 1_000_000_000
TURN_POSITION_TOLERANCE_M = 0.05
"""A pose goal this close to the robot's position is a turn in place, not a drive."""


# ---- time --------------------------------------------------------------------------------------


def stamp_from_ns(ns: int) -> Any:
    """A ``builtin_interfaces/Time`` for integer nanoseconds."""
    return Time(nanoseconds=ns).to_msg()


def ns_from_stamp(stamp: Any) -> int:
    return int(stamp.sec) * NS_PER_S + int(stamp.nanosec)


# ---- orientation -------------------------------------------------------------------------------


def quaternion_from_yaw(yaw: float) -> Quaternion:
    """A rotation of ``yaw`` radians about +z."""
    return Quaternion(x=0.0, y=0.0, z=math.sin(yaw / 2.0), w=math.cos(yaw / 2.0))


def yaw_from_quaternion(q: Any) -> float:
    """The heading (rotation about +z) of any quaternion, in (-pi, pi]."""
    return math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))


# ---- robot state -------------------------------------------------------------------------------


def odometry_from_pose(
    pose: Pose,
    *,
    stamp_ns: int,
    frame_id: str,
    child_frame_id: str,
    linear_mps: float = 0.0,
    angular_rps: float = 0.0,
) -> Odometry:
    msg = Odometry()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.header.frame_id = frame_id
    msg.child_frame_id = child_frame_id
    msg.pose.pose.position.x = pose.x
    msg.pose.pose.position.y = pose.y
    msg.pose.pose.position.z = pose.z
    msg.pose.pose.orientation = quaternion_from_yaw(pose.yaw)
    msg.twist.twist.linear.x = linear_mps
    msg.twist.twist.angular.z = angular_rps
    return msg


def pose_from_odometry(msg: Odometry) -> Pose:
    p = msg.pose.pose
    return Pose(x=p.position.x, y=p.position.y, z=p.position.z, yaw=yaw_from_quaternion(p.orientation))


def battery_from_percent(percent: float, *, stamp_ns: int) -> BatteryState:
    msg = BatteryState()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.percentage = max(0.0, min(1.0, percent / 100.0))
    msg.present = True
    msg.power_supply_status = BatteryState.POWER_SUPPLY_STATUS_DISCHARGING
    msg.voltage = float("nan")
    msg.current = float("nan")
    msg.charge = float("nan")
    msg.capacity = float("nan")
    msg.design_capacity = float("nan")
    msg.temperature = float("nan")
    return msg


def percent_from_battery(msg: BatteryState) -> float:
    """0-100; a NaN percentage (unknown) reads as 0 so battery guards fail safe."""
    fraction = float(msg.percentage)
    return 0.0 if math.isnan(fraction) else max(0.0, min(100.0, fraction * 100.0))


def joint_state_from_positions(positions: dict[str, float], *, stamp_ns: int) -> JointState:
    msg = JointState()
    msg.header.stamp = stamp_from_ns(stamp_ns)
    msg.name = list(positions)
    msg.position = [float(v) for v in positions.values()]
    return msg


def positions_from_joint_state(msg: JointState) -> dict[str, float]:
    return {str(name): float(position) for name, position in zip(msg.name, msg.position, strict=False)}


# ---- JSON in String ----------------------------------------------------------------------------


def string_from_model(model: BaseModel) -> String:
    return String(data=model.model_dump_json())


def model_from_string(msg: String, model: type[ModelT]) -> ModelT:
    """Parse and validate; raises ``pydantic.ValidationError`` on malformed JSON."""
    return model.model_validate_json(msg.data)


# ---- goals -------------------------------------------------------------------------------------


def pose_stamped_from_goal(
    goal: DriveGoal | TurnGoal, *, current: Pose, goal_id: int, frame_id: str
) -> PoseStamped:
    """A base goal as a pose: a drive faces its direction of travel, a turn stays where the robot is."""
    msg = PoseStamped()
    msg.header.stamp = stamp_from_ns(goal_id)
    msg.header.frame_id = frame_id
    if isinstance(goal, DriveGoal):
        x, y = goal.x, goal.y
        yaw = (
            math.atan2(y - current.y, x - current.x)
            if math.hypot(x - current.x, y - current.y) > 1e-9
            else current.yaw
        )
    else:
        x, y, yaw = current.x, current.y, goal.yaw
    msg.pose.position.x = x
    msg.pose.position.y = y
    msg.pose.orientation = quaternion_from_yaw(yaw)
    return msg


def goal_from_pose_stamped(msg: PoseStamped, *, current: Pose) -> DriveGoal | TurnGoal:
    """Inverse of :func:`pose_stamped_from_goal`: near the robot's position it is a turn, else a drive."""
    x, y = msg.pose.position.x, msg.pose.position.y
    if math.hypot(x - current.x, y - current.y) <= TURN_POSITION_TOLERANCE_M:
        return TurnGoal(yaw=yaw_from_quaternion(msg.pose.orientation))
    return DriveGoal(x=x, y=y)


def stop_twist() -> Twist:
    """All-zero velocity: stop the base."""
    return Twist()
