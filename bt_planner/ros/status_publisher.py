"""Mission status → ``planner_status``, ``planned_actions`` and ``planner_feedback``.

Every status goes out twice: as JSON on ``planner_status`` (``std_msgs/String``, the seed's format, for
compatibility) and typed on ``planner_state`` (``bt_planner_msgs/PlannerStatus``, for ROS tools).

How mission states read on ``planner_status``:

==============================  ==============================================================
mission                         planner_status
==============================  ==============================================================
command arrives                 RECEIVED_COMMAND (published by the node on reception)
planning                        PLANNING_STARTED
replanning                      PLANNING_STARTED (details: which action failed and why)
executing a new plan            PLANNING_SUCCESS, the plan on ``planned_actions``, then EXECUTING
succeeded / failed / cancelled  SUCCEEDED / FAILED / CANCELLED (details: the reason)
rejected (no safe plan)         PLANNING_FAILED (details: the planner's or verifier's reasons)
awaiting approval               AWAITING_APPROVAL (details: why the plan needs approval)
plan rejected by an operator    REJECTED (details: who rejected it, via what, and why; or the timeout)
==============================  ==============================================================
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from bt_planner_msgs.msg import PlannerStatus as PlannerStatusMsg
from rclpy.duration import Duration
from rclpy.node import Node
from std_msgs.msg import String

from bt_planner.ros import plan_messages, qos, topics
from bt_planner.ros.payloads import FeedbackMessage, PlannerStatus, StatusMessage
from bt_planner.tree.mission import MissionState, MissionStatus

_DIRECT: dict[MissionState, PlannerStatus] = {
    MissionState.PLANNING: PlannerStatus.PLANNING_STARTED,
    MissionState.AWAITING_APPROVAL: PlannerStatus.AWAITING_APPROVAL,
    MissionState.REPLANNING: PlannerStatus.PLANNING_STARTED,
    MissionState.SUCCEEDED: PlannerStatus.SUCCEEDED,
    MissionState.FAILED: PlannerStatus.FAILED,
    MissionState.REJECTED: PlannerStatus.PLANNING_FAILED,
    MissionState.CANCELLED: PlannerStatus.CANCELLED,
}


class StatusPublisher:
    """Publishes status, plans and feedback; remembers the latest status for snapshots.

    ``explain_failure`` may add context to FAILED details (the node names silent state topics there).
    """

    def __init__(self, node: Node, *, explain_failure: Callable[[], str] = lambda: "") -> None:
        self.explain_failure = explain_failure
        self.latest: StatusMessage | None = None
        self._announced_plans: set[tuple[int, int]] = set()
        self._awaiting: set[int] = set()
        """Commands whose plan waits for approval now (a REJECTED then is the operator's, not the planner's)."""
        self._last_feedback: tuple[object, ...] | None = None
        self._status = node.create_publisher(
            String, topics.PLANNER_STATUS.name, qos.for_topic(topics.PLANNER_STATUS)
        )
        self._clock = node.get_clock()
        self._typed = node.create_publisher(
            PlannerStatusMsg, topics.PLANNER_STATE.name, qos.for_topic(topics.PLANNER_STATE)
        )
        self._plans = node.create_publisher(
            String, topics.PLANNED_ACTIONS.name, qos.for_topic(topics.PLANNED_ACTIONS)
        )
        self._feedback = node.create_publisher(
            String, topics.PLANNER_FEEDBACK.name, qos.for_topic(topics.PLANNER_FEEDBACK)
        )

    def wait_delivered(self, timeout_s: float) -> bool:
        """Block until every reliable subscriber acknowledged the statuses published so far (bounded)."""
        return bool(self._status.wait_for_all_acked(Duration(nanoseconds=int(timeout_s * 1e9))))

    def publish(self, status: PlannerStatus, *, command: str | None, details: str = "") -> StatusMessage:
        message = StatusMessage(status=status, timestamp=time.time(), details=details, command=command)
        self._status.publish(String(data=message.model_dump_json()))
        self._typed.publish(
            PlannerStatusMsg(
                stamp=self._clock.now().to_msg(),
                status=plan_messages.STATUS_CODES[status],
                status_name=status.value,
                command=plan_messages.text(command or "", max_chars=plan_messages.MAX_TEXT_CHARS),
                details=plan_messages.text(details),
            )
        )
        self.latest = message
        return message

    def on_mission_status(self, status: MissionStatus) -> None:
        """Translate one mission status change (call on the ticking thread, in order)."""
        command = status.command
        was_awaiting = status.command_id in self._awaiting
        self._awaiting.discard(status.command_id)
        if status.state is MissionState.AWAITING_APPROVAL:
            self._awaiting.add(status.command_id)
        if status.state is MissionState.EXECUTING:
            key = (status.command_id, status.attempt)
            if key not in self._announced_plans and status.plan is not None:
                self._announced_plans.add(key)
                self._plans.publish(String(data=json.dumps(status.plan.to_wire())))
                total = status.plan.estimated_total_time
                estimate = f", about {total:g} s" if total is not None else ""
                self.publish(
                    PlannerStatus.PLANNING_SUCCESS,
                    command=command,
                    details=f"{len(status.plan.actions)} action(s){estimate}",
                )
            self.publish(PlannerStatus.EXECUTING, command=command, details=f"attempt {status.attempt}")
            return
        mapped = _DIRECT.get(status.state)
        if mapped is None:
            return
        if was_awaiting and status.state is MissionState.REJECTED:
            mapped = PlannerStatus.REJECTED
        details = status.reason
        if mapped is PlannerStatus.FAILED:
            extra = self.explain_failure()
            details = f"{details} ({extra})" if extra and details else details or extra
        self.publish(mapped, command=command, details=details)

    def feedback(self, message: FeedbackMessage) -> bool:
        """Publish ``message`` unless it says the same as the last one (timestamps aside)."""
        fingerprint = (
            message.command,
            message.attempt,
            message.action_index,
            message.action,
            message.message,
        )
        if fingerprint == self._last_feedback:
            return False
        self._last_feedback = fingerprint
        self._feedback.publish(String(data=message.model_dump_json()))
        return True
