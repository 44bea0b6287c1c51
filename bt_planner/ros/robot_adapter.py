"""``RosRobot``: :class:`bt_planner.robot.RobotInterface` over standard ROS 2 topics.

Goals out: ``DriveGoal`` / ``TurnGoal`` as ``geometry_msgs/PoseStamped`` on ``goal_pose`` (a drive faces its
direction of travel; a turn is a pose at the robot's own position; ``DriveGoal.speed_mps`` is not carried, the
robot's own speed limit applies); ``SpeakGoal`` on ``speech`` and every other goal on ``manipulation``, as
``{"op": "goal", "goal_id", "goal"}`` JSON. A goal's id is its send time in integer nanoseconds (strictly
increasing), which for a pose goal is its ``header.stamp``. ``cancel()`` sends ``{"op": "cancel", "goal_id"}``
on ``manipulation`` and a zero ``Twist`` on ``cmd_vel``.

Status in: ``goal_status`` JSON (:class:`bt_planner.robot.GoalStatus` with the wire goal id); statuses of other
goals are ignored. Until the robot reports on a new goal it reads RUNNING ("sent, waiting for the robot").
Robot state comes from the blackboard, written by the :class:`StateTopics` leaves; ``state_age_s`` is the
age of the stalest required state topic.
"""

from __future__ import annotations

import threading

from geometry_msgs.msg import PoseStamped, Twist
from pydantic import ValidationError
from rclpy.node import Node
from std_msgs.msg import String

from bt_planner.core.state import RobotState
from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.robot.robot_goals import DriveGoal, Goal, SpeakGoal, TurnGoal
from bt_planner.ros import conversions, qos, topics
from bt_planner.ros.payloads import CancelRequest, GoalRequest
from bt_planner.ros.state_topics import StateTopics


class RosRobot:
    """The planner's view of a robot that speaks the topics of :mod:`bt_planner.ros.topics`.

    ``fallback`` fills state fields no topic has delivered yet (the world file's robot). Thread-safe.
    """

    def __init__(
        self, node: Node, *, state_topics: StateTopics, fallback: RobotState, frame_id: str = "map"
    ) -> None:
        self.node = node
        self.state_topics = state_topics
        self.fallback = fallback
        self.frame_id = frame_id
        self._lock = threading.Lock()
        self._last_id = 0
        self._status = GoalStatus()
        self._goal_pose = node.create_publisher(
            PoseStamped, topics.GOAL_POSE.name, qos.for_topic(topics.GOAL_POSE)
        )
        self._cmd_vel = node.create_publisher(Twist, topics.CMD_VEL.name, qos.for_topic(topics.CMD_VEL))
        self._manipulation = node.create_publisher(
            String, topics.MANIPULATION.name, qos.for_topic(topics.MANIPULATION)
        )
        self._speech = node.create_publisher(String, topics.SPEECH.name, qos.for_topic(topics.SPEECH))
        self._status_sub = node.create_subscription(
            String, topics.GOAL_STATUS.name, self._on_goal_status, qos.for_topic(topics.GOAL_STATUS)
        )

    # ---- RobotInterface ---------------------------------------------------------------------

    def send_goal(self, goal: Goal) -> int:
        current = self.state().pose
        with self._lock:
            goal_id = max(self.node.get_clock().now().nanoseconds, self._last_id + 1)
            self._last_id = goal_id
            self._status = GoalStatus(
                goal_id=goal_id,
                kind=goal.kind,
                state=GoalState.RUNNING,
                message="sent, waiting for the robot",
            )
        if isinstance(goal, (DriveGoal, TurnGoal)):
            self._goal_pose.publish(
                conversions.pose_stamped_from_goal(
                    goal, current=current, goal_id=goal_id, frame_id=self.frame_id
                )
            )
        else:
            publisher = self._speech if isinstance(goal, SpeakGoal) else self._manipulation
            publisher.publish(conversions.string_from_model(GoalRequest(goal_id=goal_id, goal=goal)))
        return goal_id

    def goal_status(self) -> GoalStatus:
        with self._lock:
            return self._status

    def cancel(self) -> None:
        with self._lock:
            goal_id = self._status.goal_id
            if self._status.state is GoalState.RUNNING:
                self._status = self._status.model_copy(
                    update={"state": GoalState.CANCELLED, "message": "cancelled"}
                )
        if not self.node.context.ok():
            return  # ROS is already down; nothing can reach the robot any more
        self._cmd_vel.publish(conversions.stop_twist())
        self._manipulation.publish(conversions.string_from_model(CancelRequest(goal_id=goal_id)))

    def fail_running(self, message: str) -> None:
        """End the running goal here as FAILED with ``message`` (the robot node behind it died)."""
        with self._lock:
            if self._status.state is GoalState.RUNNING:
                self._status = self._status.model_copy(update={"state": GoalState.FAILED, "message": message})

    def state(self) -> RobotState:
        return self.state_topics.state(self.fallback)

    def now(self) -> float:
        return float(self.node.get_clock().now().nanoseconds) / conversions.NS_PER_S

    def state_age_s(self) -> float:
        return self.state_topics.age_s()

    # ---- status in --------------------------------------------------------------------------

    def _on_goal_status(self, msg: String) -> None:
        try:
            status = conversions.model_from_string(msg, GoalStatus)
        except ValidationError as error:
            self.node.get_logger().warning(
                f"ignored a malformed goal status: {error}", throttle_duration_sec=5.0
            )
            return
        with self._lock:
            if status.goal_id != self._status.goal_id or self._status.state is not GoalState.RUNNING:
                return  # another goal's, or ours after it ended here (e.g. cancelled locally)
            self._status = status
