"""``bt-planner-sim``: the simulated humanoid (:class:`bt_planner.sim.SimulatedRobot`) behind the robot topics.

Every ``1 / state_rate_hz`` wall seconds the node advances the simulation by the elapsed wall time times
``time_scale``, then publishes ``odom``, ``battery_state``, ``joint_states`` and ``gripper_state``, any change
of ``goal_status``, ``detections`` after a detect goal, and ``world_state`` when it changes (and every
``world_state_period_s``). It obeys ``goal_pose`` (drive or turn), ``manipulation`` and ``speech`` goals and
their cancel requests; any ``cmd_vel`` twist stops the base and cancels the running goal (the simulator has
no velocity control). Goal ids on the wire are the planner's; the simulator's own ids never leave the node.
"""

from __future__ import annotations

import sys
import time

from geometry_msgs.msg import PoseStamped, Twist
from nav_msgs.msg import Odometry
from pydantic import ValidationError
from rclpy.node import Node
from sensor_msgs.msg import BatteryState, JointState
from std_msgs.msg import String

from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.robot.robot_goals import Goal
from bt_planner.ros import conversions, qos, topics
from bt_planner.ros.node_parameters import SimNodeParameters
from bt_planner.ros.node_runtime import run_node
from bt_planner.ros.parameter_binding import declare_parameters
from bt_planner.ros.payloads import (
    CancelRequest,
    DetectionsMessage,
    GoalRequest,
    GripperReading,
    parse_robot_request,
)
from bt_planner.ros.world_file import load_world
from bt_planner.sim import SimulatedRobot

MAX_SIM_STEP_S = 0.05
"""Longest single integration step (simulated seconds); longer intervals are split."""
MAX_WALL_GAP_S = 0.5
"""A timer callback later than this (a stalled process) does not make the robot jump."""


class SimNode:
    """The simulator node. Build it after ``rclpy.init``; ``close()`` stops the robot."""

    def __init__(self, *, node_name: str = "bt_planner_sim", robot: SimulatedRobot | None = None) -> None:
        self.node = Node(node_name)
        self.params = declare_parameters(self.node, SimNodeParameters())
        self.robot = robot if robot is not None else SimulatedRobot(load_world(self.params.world_file))
        self._wire_ids: dict[int, int] = {}
        """simulator goal id -> the planner's goal id"""
        self._last_status: GoalStatus | None = None
        self._last_world: str | None = None
        self._world_published_at = -float("inf")
        self._last_step = time.monotonic()

        node = self.node
        self._odom = node.create_publisher(Odometry, topics.ODOM.name, qos.for_topic(topics.ODOM))
        self._battery = node.create_publisher(
            BatteryState, topics.BATTERY.name, qos.for_topic(topics.BATTERY)
        )
        self._joints = node.create_publisher(
            JointState, topics.JOINT_STATES.name, qos.for_topic(topics.JOINT_STATES)
        )
        self._gripper = node.create_publisher(
            String, topics.GRIPPER_STATE.name, qos.for_topic(topics.GRIPPER_STATE)
        )
        self._detections = node.create_publisher(
            String, topics.DETECTIONS.name, qos.for_topic(topics.DETECTIONS)
        )
        self._goal_status = node.create_publisher(
            String, topics.GOAL_STATUS.name, qos.for_topic(topics.GOAL_STATUS)
        )
        self._world = node.create_publisher(
            String, topics.WORLD_STATE.name, qos.for_topic(topics.WORLD_STATE)
        )

        node.create_subscription(
            PoseStamped, topics.GOAL_POSE.name, self._on_goal_pose, qos.for_topic(topics.GOAL_POSE)
        )
        node.create_subscription(Twist, topics.CMD_VEL.name, self._on_cmd_vel, qos.for_topic(topics.CMD_VEL))
        for topic in (topics.MANIPULATION, topics.SPEECH):
            node.create_subscription(String, topic.name, self._on_request, qos.for_topic(topic))
        node.create_timer(1.0 / self.params.state_rate_hz, self._on_timer)
        self._publish_world(force=True)
        node.get_logger().info(
            f"simulating world {self.robot.world_state().name!r} at {self.params.state_rate_hz:g} Hz, "
            f"time scale {self.params.time_scale:g}"
        )

    def close(self) -> None:
        self.robot.cancel()

    # ---- commands -------------------------------------------------------------------------------

    def _start(self, goal: Goal, wire_id: int) -> None:
        before = self.robot.goal_status()
        if before.state is GoalState.RUNNING and before.goal_id in self._wire_ids:
            self._publish_status(
                before.model_copy(
                    update={"state": GoalState.CANCELLED, "message": "pre-empted by a new goal"}
                )
            )
        sim_id = self.robot.send_goal(goal)
        self._wire_ids = {sim_id: wire_id}
        self._publish_status(self.robot.goal_status())

    def _on_goal_pose(self, msg: PoseStamped) -> None:
        if msg.header.frame_id and msg.header.frame_id != self.params.frame_id:
            self.node.get_logger().warning(
                f"ignored a goal pose in frame {msg.header.frame_id!r}; this simulator works in {self.params.frame_id!r}"
            )
            return
        goal = conversions.goal_from_pose_stamped(msg, current=self.robot.state().pose)
        self._start(goal, conversions.ns_from_stamp(msg.header.stamp))

    def _on_request(self, msg: String) -> None:
        try:
            request = parse_robot_request(msg.data)
        except ValidationError as error:
            self.node.get_logger().warning(f"ignored a malformed robot request: {error}")
            return
        if isinstance(request, GoalRequest):
            self._start(request.goal, request.goal_id)
        elif isinstance(request, CancelRequest):
            self._cancel(request.goal_id)

    def _on_cmd_vel(self, msg: Twist) -> None:
        moving = any(abs(v) > 1e-9 for v in (msg.linear.x, msg.linear.y, msg.angular.z))
        if moving:
            self.node.get_logger().warning(
                "velocity commands are not simulated; stopping instead (send goal_pose goals)",
                throttle_duration_sec=10.0,
            )
        self._cancel(0)

    def _cancel(self, wire_id: int) -> None:
        current = self.robot.goal_status()
        if wire_id and self._wire_ids.get(current.goal_id) != wire_id:
            return
        self.robot.cancel()
        self._publish_status(self.robot.goal_status())

    # ---- simulation and state -------------------------------------------------------------------

    def _on_timer(self) -> None:
        now = time.monotonic()
        wall_dt = min(now - self._last_step, MAX_WALL_GAP_S)
        self._last_step = now
        remaining = wall_dt * self.params.time_scale
        while remaining > 1e-12:
            step = min(remaining, MAX_SIM_STEP_S)
            self.robot.step(step)
            remaining -= step
        self._publish_state()
        status = self.robot.goal_status()
        if status != self._last_status:
            self._publish_status(status)
        self._publish_world(force=False)

    def _publish_state(self) -> None:
        state = self.robot.state()
        stamp = self.node.get_clock().now().nanoseconds
        linear, angular = self.robot.velocity
        self._odom.publish(
            conversions.odometry_from_pose(
                state.pose,
                stamp_ns=stamp,
                frame_id=self.params.frame_id,
                child_frame_id=self.params.base_frame_id,
                linear_mps=linear,
                angular_rps=angular,
            )
        )
        self._battery.publish(conversions.battery_from_percent(state.battery_percent, stamp_ns=stamp))
        self._joints.publish(conversions.joint_state_from_positions(state.joints, stamp_ns=stamp))
        self._gripper.publish(
            conversions.string_from_model(GripperReading(state=state.gripper, holding=state.holding))
        )

    def _publish_status(self, status: GoalStatus) -> None:
        self._last_status = status
        wire_id = self._wire_ids.get(status.goal_id)
        if wire_id is None:
            return  # idle, or a goal the simulator started on its own
        self._goal_status.publish(
            conversions.string_from_model(status.model_copy(update={"goal_id": wire_id}))
        )
        if status.state is GoalState.SUCCEEDED and status.detections:
            message = DetectionsMessage(timestamp=time.time(), detections=status.detections)
            self._detections.publish(conversions.string_from_model(message))
        if status.state is not GoalState.RUNNING:
            self._publish_world(force=True)

    def _publish_world(self, *, force: bool) -> None:
        world = self.robot.world_state()
        fingerprint = world.model_dump_json(exclude={"robot"}) + world.robot.model_dump_json(
            include={"gripper", "holding"}
        )
        now = time.monotonic()
        due = now - self._world_published_at >= self.params.world_state_period_s
        if force or due or fingerprint != self._last_world:
            self._last_world = fingerprint
            self._world_published_at = now
            self._world.publish(String(data=world.model_dump_json()))


def main(args: list[str] | None = None) -> int:
    """Console script ``bt-planner-sim``: spin the simulator node until Ctrl-C."""
    return run_node(SimNode, args=args)


if __name__ == "__main__":
    sys.exit(main())
