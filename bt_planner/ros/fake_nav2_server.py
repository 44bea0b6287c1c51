"""``bt-planner-fake-nav2``: a ``NavigateToPose`` action server that drives the simulator's base.

For tests and demos without Nav2. It stands where Nav2 stands on a real robot: between the planner's
:class:`bt_planner.ros.nav2_navigation.Nav2Robot` and the base. An accepted goal is forwarded to the simulator
(:mod:`bt_planner.ros.sim_node`) as a ``goal_pose`` whose stamp is the goal's wire id; the simulator's
``goal_status`` for that id ends the goal (SUCCEEDED, or ABORTED with ``UNKNOWN`` and the simulator's
reason), and ``odom`` gives the feedback (current pose, distance remaining, times) at ``feedback_rate_hz``.
A cancel request is accepted and stops the base with a zero ``cmd_vel``; a newer goal aborts the running one.

``mode`` (read at each goal, so ``ros2 param set`` changes it at run time) can make it misbehave on
purpose: ``reject`` goals, ``abort`` once ``abort_after_fraction`` of the way is covered (with
``abort_error_code`` / ``abort_error_msg``), or ``hang`` (accept, never move, end only when cancelled).

Every goal event is published on ``fake_nav2_events`` (``std_msgs/String`` JSON, latched history), so a
test can see what reached the server: ``{"event": received|rejected|accepted|cancel_requested|succeeded|
aborted|canceled|preempted, "goal": uuid hex, "x", "y", "error_code", "message"}``.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from geometry_msgs.msg import PoseStamped, Twist
from nav_msgs.msg import Odometry
from pydantic import ValidationError
from rclpy.action.server import ActionServer, CancelResponse, GoalResponse
from rclpy.node import Node
from rclpy.task import Future
from std_msgs.msg import String

from bt_planner.core.geometry import Pose
from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.ros import conversions, qos, topics
from bt_planner.ros.nav2_navigation import navigate_to_pose_type
from bt_planner.ros.node_parameters import FakeNav2Parameters
from bt_planner.ros.node_runtime import run_node
from bt_planner.ros.parameter_binding import declare_parameters
from bt_planner.ros.topics import QosKind, Topic

EVENTS = Topic(
    name="fake_nav2_events", type="std_msgs/String", qos=QosKind.LATCHED_HISTORY, route="fake Nav2 → tests",
    payload='{"event", "goal", "x", "y", "error_code", "message"}: every goal event the fake server saw',
)  # fmt: skip
UNKNOWN_ERROR = 9000


@dataclass
class _Run:
    """One accepted goal: its handle, target, wire id (the simulator goal's stamp) and completion."""

    handle: Any
    x: float
    y: float
    wire_id: int
    started: float
    mode: str
    done: Future[Any] = field(default_factory=Future)
    start_distance: float | None = None
    ended: bool = False


class FakeNav2Server:
    """The fake Nav2 node. Build after ``rclpy.init``; ``close()`` stops the base."""

    def __init__(self, *, node_name: str = "fake_nav2_server") -> None:
        self.node = Node(node_name)
        self.params = declare_parameters(self.node, FakeNav2Parameters())
        self.action_type = navigate_to_pose_type()
        self._run: _Run | None = None
        self._pose: Pose | None = None
        self._last_wire_id = 0
        node = self.node
        self._goal_pose = node.create_publisher(
            PoseStamped, topics.GOAL_POSE.name, qos.for_topic(topics.GOAL_POSE)
        )
        self._cmd_vel = node.create_publisher(Twist, topics.CMD_VEL.name, qos.for_topic(topics.CMD_VEL))
        self._events = node.create_publisher(String, EVENTS.name, qos.for_topic(EVENTS))
        node.create_subscription(Odometry, topics.ODOM.name, self._on_odom, qos.for_topic(topics.ODOM))
        node.create_subscription(
            String, topics.GOAL_STATUS.name, self._on_goal_status, qos.for_topic(topics.GOAL_STATUS)
        )
        self.server = ActionServer(
            node,
            self.action_type,
            self.params.action_name,
            execute_callback=self._execute,
            goal_callback=self._on_goal,
            cancel_callback=self._on_cancel,
        )
        node.create_timer(1.0 / self.params.feedback_rate_hz, self._on_timer)
        node.get_logger().info(
            f"fake Nav2 serving {node.resolve_topic_name(self.params.action_name)} "
            f"(mode {self._mode()}) over the simulator's goal_pose"
        )

    def close(self) -> None:
        if self._run is not None and not self._run.ended and self.node.context.ok():
            self._cmd_vel.publish(conversions.stop_twist())
        self.server.destroy()

    # ---- action callbacks -----------------------------------------------------------------------

    def _mode(self) -> str:
        return str(self.node.get_parameter("mode").value)

    def _on_goal(self, request: Any) -> GoalResponse:
        position = request.pose.pose.position
        self._event("received", None, x=position.x, y=position.y)
        frame = request.pose.header.frame_id
        if self._mode() == "reject" or (frame and frame != self.params.frame_id):
            self._event("rejected", None, message=f"mode {self._mode()}, frame {frame!r}")
            return GoalResponse.REJECT
        return GoalResponse.ACCEPT

    def _on_cancel(self, handle: Any) -> CancelResponse:
        self._event("cancel_requested", handle)
        return CancelResponse.ACCEPT

    async def _execute(self, handle: Any) -> Any:
        previous = self._run
        if previous is not None and not previous.ended:
            self._end(previous, "preempted", error_code=UNKNOWN_ERROR, message="pre-empted by a newer goal")
        target = handle.request.pose
        wire_id = max(self.node.get_clock().now().nanoseconds, self._last_wire_id + 1)
        self._last_wire_id = wire_id
        run = _Run(
            handle=handle,
            x=float(target.pose.position.x),
            y=float(target.pose.position.y),
            wire_id=wire_id,
            started=time.monotonic(),
            mode=self._mode(),
        )
        self._run = run
        self._event("accepted", handle, x=run.x, y=run.y, message=f"mode {run.mode}")
        if run.mode != "hang":
            pose = PoseStamped()
            pose.header.stamp = conversions.stamp_from_ns(wire_id)
            pose.header.frame_id = self.params.frame_id
            pose.pose = target.pose
            self._goal_pose.publish(pose)
        result: Any = await run.done
        return result

    # ---- driving ----------------------------------------------------------------------------------

    def _on_odom(self, msg: Odometry) -> None:
        self._pose = conversions.pose_from_odometry(msg)

    def _on_goal_status(self, msg: String) -> None:
        run = self._run
        if run is None or run.ended:
            return
        try:
            status = conversions.model_from_string(msg, GoalStatus)
        except ValidationError:
            return
        if status.goal_id != run.wire_id:
            return
        if status.state is GoalState.SUCCEEDED:
            self._end(run, "succeeded")
        elif status.state in (GoalState.FAILED, GoalState.CANCELLED):
            self._end(run, "aborted", error_code=UNKNOWN_ERROR, message=f"base: {status.message}")

    def _on_timer(self) -> None:
        run = self._run
        if run is None or run.ended:
            return
        if run.handle.is_cancel_requested:
            self._cmd_vel.publish(conversions.stop_twist())
            self._end(run, "canceled")
            return
        pose = self._pose
        if pose is None:
            return
        remaining = math.hypot(run.x - pose.x, run.y - pose.y)
        if run.start_distance is None:
            run.start_distance = remaining
        covered = 1.0 - remaining / run.start_distance if run.start_distance > 0 else 1.0
        if run.mode == "abort" and covered >= self.params.abort_after_fraction:
            self._cmd_vel.publish(conversions.stop_twist())
            self._end(
                run, "aborted", error_code=self.params.abort_error_code, message=self.params.abort_error_msg
            )
            return
        self._feedback(run, pose, remaining)

    def _feedback(self, run: _Run, pose: Pose, remaining: float) -> None:
        feedback = self.action_type.Feedback()
        feedback.current_pose.header.stamp = self.node.get_clock().now().to_msg()
        feedback.current_pose.header.frame_id = self.params.frame_id
        feedback.current_pose.pose.position.x = pose.x
        feedback.current_pose.pose.position.y = pose.y
        feedback.current_pose.pose.orientation = conversions.quaternion_from_yaw(pose.yaw)
        elapsed_ns = int((time.monotonic() - run.started) * conversions.NS_PER_S)
        feedback.navigation_time.sec, feedback.navigation_time.nanosec = divmod(
            elapsed_ns, conversions.NS_PER_S
        )
        feedback.distance_remaining = float(remaining)
        run.handle.publish_feedback(feedback)

    def _end(self, run: _Run, event: str, *, error_code: int = 0, message: str = "") -> None:
        """Put ``run``'s handle in its final state, resolve its result, publish the event."""
        run.ended = True
        result = self.action_type.Result()
        result.error_code = error_code
        result.error_msg = message
        if event == "succeeded":
            run.handle.succeed()
        elif event == "canceled":
            run.handle.canceled()
        else:
            run.handle.abort()
        self._event(event, run.handle, error_code=error_code, message=message)
        run.done.set_result(result)

    def _event(self, event: str, handle: Any, **details: Any) -> None:
        goal = bytes(handle.goal_id.uuid).hex() if handle is not None else None
        self._events.publish(String(data=json.dumps({"event": event, "goal": goal, **details})))
        self.node.get_logger().info(f"{event} {goal or ''} {details or ''}".rstrip())


def main(args: list[str] | None = None) -> int:
    """Console script ``bt-planner-fake-nav2``: spin the fake Nav2 server until Ctrl-C."""
    return run_node(FakeNav2Server, args=args)


if __name__ == "__main__":
    sys.exit(main())
