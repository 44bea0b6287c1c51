"""``Nav2Robot``: base goals through Nav2's ``nav2_msgs/action/NavigateToPose``, everything else elsewhere.

A :class:`bt_planner.robot.RobotInterface` for a robot whose base runs Nav2. ``DriveGoal`` and ``TurnGoal``
(the navigate, move and turn leaves) become ``NavigateToPose`` goals in ``frame_id`` (a drive faces its
direction of travel, a turn is a pose at the robot's own position; ``DriveGoal.speed_mps`` is not carried,
Nav2's controller limits apply). Grasp, place, detect and speak goals, the robot state and the clock go to
``others`` (the topic adapter :class:`bt_planner.ros.robot_adapter.RosRobot` by default), so a robot can mix
Nav2 for the base with any manipulation, speech or perception stack.

One goal is active at a time: sending a goal cancels a running Nav2 goal (as a cancel request to the
server) and a running goal of ``others``. ``cancel()`` (halt, pre-emption, e-stop) cancels the Nav2 goal on
the server; if the goal is not yet accepted, it is cancelled the moment it is.

Status: feedback's ``distance_remaining`` becomes progress (against the distance at the first feedback) and
the message ("2.4 m to go"); an ABORTED result fails the goal with Nav2's ``error_code`` and ``error_msg``;
a rejected goal fails at once. When no server is ready within ``server_timeout_s`` the goal fails with the
reason: no server at all, or a server whose ``NavigateToPose`` type hash differs from ours (a Nav2 built
from other message definitions; DDS then never matches, and ``wait_for_server`` alone just returns False).

Thread-safe: ``cancel`` may come from any thread; ROS callbacks run on the node's executor.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from rclpy.action.client import ActionClient
from rclpy.node import Node
from rclpy.task import Future

from bt_planner.core.state import RobotState
from bt_planner.errors import InvalidParameters
from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.robot.interface import RobotInterface
from bt_planner.robot.robot_goals import DriveGoal, Goal, TurnGoal
from bt_planner.ros import conversions

KILTED_TYPE_HASH = "RIHS01_a56dba8a3234a1215e610180dc703ae25bbf406dded8b54887891c9732857eab"
"""RIHS01 hash of ``nav2_msgs/action/NavigateToPose`` in Nav2 Kilted and Jazzy (what a real robot serves)."""
ACTION_TYPE = "nav2_msgs/action/NavigateToPose"
FEEDBACK_SUFFIX = "/_action/feedback"
"""Topic of an action's feedback messages, under the action name; its type hash identifies the action type."""
RETRY_PERIOD_S = 0.1
"""How often a goal waiting for the server checks again (wall seconds)."""

# action_msgs/GoalStatus values (kept here so callers need no action_msgs import)
STATUS_SUCCEEDED = 4
STATUS_CANCELED = 5
STATUS_ABORTED = 6

ERROR_NAMES = {
    0: "NONE",
    9000: "UNKNOWN",
    9001: "FAILED_TO_LOAD_BEHAVIOR_TREE",
    9002: "TF_ERROR",
    9003: "TIMEOUT",
}
"""The error codes NavigateToPose itself defines; Nav2 plugins report others (planner, controller, ...)."""


def navigate_to_pose_type() -> Any:
    """The ``NavigateToPose`` action class, or :class:`InvalidParameters` saying how to get it."""
    try:
        from nav2_msgs.action import NavigateToPose
    except ImportError:
        raise InvalidParameters(
            "robot_adapter 'nav2' needs the nav2_msgs interfaces: on a ROS distro install Nav2 "
            "(ros-<distro>-nav2-msgs); pip only: pip install ./interfaces/nav2_msgs (never both)"
        ) from None
    return NavigateToPose


@dataclass
class _NavGoal:
    """One NavigateToPose goal as this adapter tracks it."""

    goal_id: int
    msg: Any
    created: float
    handle: Any = None
    sent: bool = False
    cancel_requested: bool = False
    start_distance: float | None = None
    done: bool = False
    """The server sent its result (or the goal failed before reaching it)."""


def describe_error(code: int, message: str) -> str:
    """Nav2's error code and message as one reason, e.g. ``error code 9003 (TIMEOUT): took too long``."""
    name = ERROR_NAMES.get(code)
    label = f"error code {code}" + (f" ({name})" if name else "")
    return f"{label}: {message}" if message else label


class Nav2Robot:
    """Drive and turn goals through ``NavigateToPose``; every other goal, state and clock through ``others``.

    ``action_name`` is relative (a namespaced planner talks to its own robot's Nav2). ``behavior_tree`` is
    passed in every goal (empty: the navigator's default tree).
    """

    def __init__(
        self,
        node: Node,
        *,
        others: RobotInterface,
        frame_id: str = "map",
        action_name: str = "navigate_to_pose",
        server_timeout_s: float = 5.0,
        behavior_tree: str = "",
    ) -> None:
        self.node = node
        self.others = others
        self.frame_id = frame_id
        self.server_timeout_s = server_timeout_s
        self.behavior_tree = behavior_tree
        self.action_type = navigate_to_pose_type()
        self.client: ActionClient[Any, Any, Any] = ActionClient(node, self.action_type, action_name)
        self.action_name = node.resolve_topic_name(action_name)
        self._lock = threading.Lock()
        self._last_id = 0
        self._nav: _NavGoal | None = None
        """The latest Nav2 goal (running or not)."""
        self._nav_active = False
        """True while the latest goal sent is a Nav2 goal (goal_status reports ours, not others')."""
        self._status = GoalStatus()
        node.create_timer(RETRY_PERIOD_S, self._retry_pending)

    # ---- RobotInterface ---------------------------------------------------------------------

    def send_goal(self, goal: Goal) -> int:
        if not isinstance(goal, (DriveGoal, TurnGoal)):
            self._cancel_nav(reason="pre-empted by a new goal")
            goal_id = self.others.send_goal(goal)
            with self._lock:
                self._last_id = max(self._last_id, goal_id)
                self._nav_active = False
            return goal_id
        if self.others.goal_status().state is GoalState.RUNNING:
            self.others.cancel()
        self._cancel_nav(reason="pre-empted by a new goal")
        pose = conversions.pose_stamped_from_goal(
            goal, current=self.state().pose, goal_id=0, frame_id=self.frame_id
        )
        pose.header.stamp = self.node.get_clock().now().to_msg()
        msg = self.action_type.Goal(pose=pose, behavior_tree=self.behavior_tree)
        with self._lock:
            goal_id = max(self.node.get_clock().now().nanoseconds, self._last_id + 1)
            self._last_id = goal_id
            record = _NavGoal(goal_id=goal_id, msg=msg, created=time.monotonic())
            self._nav = record
            self._nav_active = True
            self._status = GoalStatus(
                goal_id=goal_id,
                kind=goal.kind,
                state=GoalState.RUNNING,
                message=f"waiting for the Nav2 action server {self.action_name}",
            )
        if self.client.server_is_ready():
            self._dispatch(record)
        return goal_id

    def goal_status(self) -> GoalStatus:
        with self._lock:
            if self._nav_active:
                return self._status
        return self.others.goal_status()

    def cancel(self) -> None:
        with self._lock:
            nav_active = self._nav_active
        if nav_active:
            self._cancel_nav(reason="cancelled")
        else:
            self.others.cancel()

    def state(self) -> RobotState:
        return self.others.state()

    def now(self) -> float:
        return self.others.now()

    def state_age_s(self) -> float:
        return self.others.state_age_s()

    # ---- diagnosis --------------------------------------------------------------------------

    def diagnose(self) -> str:
        """Why no server is ready: none discovered, or one whose type (hash) differs from ours."""
        topic = self.action_name + FEEDBACK_SUFFIX
        ours = [
            info
            for info in self.node.get_subscriptions_info_by_topic(topic)
            if info.node_name == self.node.get_name() and info.node_namespace == self.node.get_namespace()
        ]
        theirs = self.node.get_publishers_info_by_topic(topic)
        if not theirs:
            return (
                f"no Nav2 action server {self.action_name} ({ACTION_TYPE}) within "
                f"{self.server_timeout_s:g} s: is Nav2 running, in this ROS domain and namespace?"
            )
        our_type = ours[0].topic_type if ours else f"{ACTION_TYPE}_FeedbackMessage"
        our_hash = str(ours[0].topic_type_hash) if ours else "unknown"
        for info in theirs:
            their_hash = str(info.topic_type_hash)
            if info.topic_type != our_type or their_hash != our_hash:
                return (
                    f"type hash mismatch on Nav2 action server {self.action_name}: the server "
                    f"({info.node_namespace.rstrip('/')}/{info.node_name}) uses {info.topic_type} "
                    f"{their_hash}, this planner {our_type} {our_hash}; install the nav2_msgs of the "
                    f"robot's Nav2 release (this adapter is built for Kilted/Jazzy, {KILTED_TYPE_HASH})"
                )
        return (
            f"the Nav2 action server {self.action_name} was discovered but did not become ready "
            f"within {self.server_timeout_s:g} s"
        )

    # ---- goal life cycle ----------------------------------------------------------------------

    def _retry_pending(self) -> None:
        with self._lock:
            record = self._nav
            if record is None or record.sent or not self._nav_active:
                return
            if self._status.goal_id != record.goal_id or self._status.state is not GoalState.RUNNING:
                return
        if self.client.server_is_ready():
            self._dispatch(record)
        elif time.monotonic() - record.created > self.server_timeout_s:
            self._finish(record, GoalState.FAILED, self.diagnose())

    def _dispatch(self, record: _NavGoal) -> None:
        with self._lock:
            if record.sent or record.cancel_requested:
                return
            record.sent = True
            self._update(record, message=f"sent to {self.action_name}")
        future = self.client.send_goal_async(
            record.msg, feedback_callback=lambda feedback: self._on_feedback(record, feedback)
        )
        future.add_done_callback(lambda done: self._on_goal_response(record, done))

    def _on_goal_response(self, record: _NavGoal, future: Future[Any]) -> None:
        handle = future.result()
        if handle is None or not handle.accepted:
            self._finish(record, GoalState.FAILED, f"Nav2 ({self.action_name}) rejected the goal")
            return
        with self._lock:
            record.handle = handle
            cancel = record.cancel_requested
            if not cancel:
                self._update(record, message=f"accepted by {self.action_name}")
        if cancel:
            handle.cancel_goal_async()
        handle.get_result_async().add_done_callback(lambda done: self._on_result(record, done))

    def _on_feedback(self, record: _NavGoal, message: Any) -> None:
        feedback = message.feedback
        remaining = float(feedback.distance_remaining)
        with self._lock:
            if record.start_distance is None and remaining > 0:
                record.start_distance = remaining
            start = record.start_distance
            progress = 0.0 if not start else min(max(1.0 - remaining / start, 0.0), 1.0)
            recoveries = int(feedback.number_of_recoveries)
            text = f"{remaining:.2f} m to go" if math.isfinite(remaining) else "navigating"
            if recoveries:
                text += f", {recoveries} recover{'y' if recoveries == 1 else 'ies'}"
            self._update(record, progress=progress, message=text)

    def _on_result(self, record: _NavGoal, future: Future[Any]) -> None:
        response = future.result()
        if response is None:
            self._finish(record, GoalState.FAILED, f"Nav2 ({self.action_name}) sent no result")
            return
        status = int(response.status)
        result = response.result
        if status == STATUS_SUCCEEDED:
            self._finish(record, GoalState.SUCCEEDED, f"arrived ({self.action_name})", progress=1.0)
        elif status == STATUS_CANCELED:
            self._finish(record, GoalState.CANCELLED, f"Nav2 ({self.action_name}) cancelled the goal")
        elif status == STATUS_ABORTED:
            reason = describe_error(int(result.error_code), str(result.error_msg))
            self._finish(record, GoalState.FAILED, f"Nav2 ({self.action_name}) aborted: {reason}")
        else:
            self._finish(
                record, GoalState.FAILED, f"Nav2 ({self.action_name}) ended the goal in status {status}"
            )

    def _cancel_nav(self, *, reason: str) -> None:
        with self._lock:
            record = self._nav
            if record is None or record.cancel_requested or record.done:
                return
            record.cancel_requested = True
            if self._status.goal_id == record.goal_id and self._status.state is GoalState.RUNNING:
                self._status = self._status.model_copy(
                    update={"state": GoalState.CANCELLED, "message": reason}
                )
            handle = record.handle
        if handle is not None and self.node.context.ok():
            handle.cancel_goal_async()  # not yet accepted: _on_goal_response cancels it

    def _update(self, record: _NavGoal, *, progress: float | None = None, message: str) -> None:
        """Refresh the running status of ``record`` (caller holds the lock); ended goals stay ended."""
        if self._status.goal_id != record.goal_id or self._status.state is not GoalState.RUNNING:
            return
        update: dict[str, Any] = {"message": message}
        if progress is not None:
            update["progress"] = progress
        self._status = self._status.model_copy(update=update)

    def _finish(
        self, record: _NavGoal, state: GoalState, message: str, *, progress: float | None = None
    ) -> None:
        with self._lock:
            record.done = True
            if self._status.goal_id != record.goal_id or self._status.state is not GoalState.RUNNING:
                return  # a newer goal, or this one ended here already (e.g. cancelled locally)
            update: dict[str, Any] = {"state": state, "message": message}
            if progress is not None:
                update["progress"] = progress
            self._status = self._status.model_copy(update=update)
