"""``CommandActionClient``: send one ``ExecuteCommand`` goal, follow its feedback, cancel it, get its result.

The client behind ``bt-planner send``. It runs its own rclpy context and executor on a daemon thread, so
the caller's thread stays free to draw progress and to handle Ctrl-C. Domain and discovery range come
from the ``ROS_*`` environment variables; ``namespace`` addresses one robot of a fleet (``/robot1``).

Feedback and the result leave this module as pydantic models (:class:`CommandFeedback`,
:class:`CommandResult`), so the CLI never touches a ROS message.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from typing import Any

from action_msgs.msg import GoalStatus
from bt_planner_msgs.action import ExecuteCommand
from pydantic import BaseModel, ConfigDict
from rclpy.action.client import ActionClient

from bt_planner.ros.execute_command_server import ACTION_NAME, SERVICE_QUEUE
from bt_planner.ros.private_node import PrivateNode

Result = ExecuteCommand.Result

OUTCOME_NAMES: dict[int, str] = {
    Result.OUTCOME_SUCCEEDED: "SUCCEEDED",
    Result.OUTCOME_FAILED: "FAILED",
    Result.OUTCOME_REJECTED: "REJECTED",
    Result.OUTCOME_CANCELLED: "CANCELLED",
}
ERROR_NAMES: dict[int, str] = {
    getattr(Result, name): name
    for name in (
        "NONE", "EMPTY_COMMAND", "COMMAND_TOO_LONG", "WORLD_NOT_FOUND", "WORLD_INVALID", "NO_SAFE_PLAN",
        "EXECUTION_FAILED", "PREEMPTED", "CANCEL_REQUESTED", "ESTOP", "SHUTDOWN", "NOT_ACTIVE",
        "WORLD_MISMATCH", "NODE_DIED", "APPROVAL_DENIED",
    )
}  # fmt: skip
GOAL_STATUS_NAMES: dict[int, str] = {
    GoalStatus.STATUS_UNKNOWN: "UNKNOWN",
    GoalStatus.STATUS_ACCEPTED: "ACCEPTED",
    GoalStatus.STATUS_EXECUTING: "EXECUTING",
    GoalStatus.STATUS_CANCELING: "CANCELING",
    GoalStatus.STATUS_SUCCEEDED: "SUCCEEDED",
    GoalStatus.STATUS_CANCELED: "CANCELED",
    GoalStatus.STATUS_ABORTED: "ABORTED",
}


class CommandFeedback(BaseModel):
    """One feedback message of the running goal."""

    model_config = ConfigDict(frozen=True)

    status: str
    attempt: int
    action_index: int
    action_count: int
    action_title: str
    progress: float
    message: str


class CommandResult(BaseModel):
    """How the goal ended: the action's goal status (SUCCEEDED, CANCELED, ABORTED) and the result fields."""

    model_config = ConfigDict(frozen=True)

    goal_status: str
    outcome: str
    error_code: str
    message: str
    attempts: int
    executed_plan: dict[str, Any] | None

    @property
    def succeeded(self) -> bool:
        return self.goal_status == "SUCCEEDED" and self.outcome == "SUCCEEDED"


def feedback_from_msg(msg: Any) -> CommandFeedback:
    """An ``ExecuteCommand`` feedback message as a ``CommandFeedback``."""
    return CommandFeedback(
        status=str(msg.status_name),
        attempt=int(msg.attempt),
        action_index=int(msg.action_index),
        action_count=int(msg.action_count),
        action_title=str(msg.action_title),
        progress=float(msg.progress),
        message=str(msg.message),
    )


def result_from_msg(status: int, msg: Any) -> CommandResult:
    """A goal status and an ``ExecuteCommand`` result message as a ``CommandResult``."""
    plan: dict[str, Any] | None = None
    if msg.executed_plan.wire_json:
        with contextlib.suppress(ValueError):
            plan = json.loads(msg.executed_plan.wire_json)
    return CommandResult(
        goal_status=GOAL_STATUS_NAMES.get(status, str(status)),
        outcome=OUTCOME_NAMES.get(msg.outcome, str(msg.outcome)),
        error_code=ERROR_NAMES.get(msg.error_code, str(msg.error_code)),
        message=str(msg.message),
        attempts=int(msg.attempts),
        executed_plan=plan,
    )


def action_name(namespace: str) -> str:
    """The absolute action name for a robot namespace ("" or "/robot1")."""
    prefix = "/" + namespace.strip("/") if namespace.strip("/") else ""
    return f"{prefix}/{ACTION_NAME}"


class CommandActionClient:
    """One action client on its own context; ``close()`` it when done."""

    def __init__(self, *, namespace: str = "", node_name: str = "bt_planner_send") -> None:
        self.name = action_name(namespace)
        self._private = PrivateNode(node_name, thread_name="ros-send")
        self._node = self._private.node
        self._client: ActionClient[Any, Any, Any] = ActionClient(
            self._node,
            ExecuteCommand,
            self.name,
            goal_service_qos_profile=SERVICE_QUEUE,
            result_service_qos_profile=SERVICE_QUEUE,
            cancel_service_qos_profile=SERVICE_QUEUE,
        )
        self._private.start()
        self._done = threading.Event()
        self._accepted = threading.Event()
        self._handle: Any = None
        self._rejected = False
        self._result: CommandResult | None = None

    def wait_for_server(self, timeout_s: float) -> bool:
        """True once a planner node serves the action (within ``timeout_s``)."""
        return bool(self._client.wait_for_server(timeout_sec=timeout_s))

    def send(
        self, command: str, *, world_file: str = "", on_feedback: Callable[[CommandFeedback], object]
    ) -> None:
        """Send the goal; ``on_feedback`` runs on the ROS thread for every feedback message."""

        def feedback(msg: Any) -> None:
            on_feedback(feedback_from_msg(msg.feedback))

        future = self._client.send_goal_async(
            ExecuteCommand.Goal(command=command, world_file=world_file), feedback_callback=feedback
        )
        future.add_done_callback(self._on_response)

    def _on_response(self, future: Any) -> None:
        handle = future.result()
        self._handle = handle
        self._accepted.set()
        if not handle.accepted:
            self._rejected = True
            self._done.set()
            return
        handle.get_result_async().add_done_callback(self._on_result)

    def _on_result(self, future: Any) -> None:
        wrapped = future.result()
        self._result = result_from_msg(int(wrapped.status), wrapped.result)
        self._done.set()

    def cancel(self, *, timeout_s: float = 5.0) -> bool:
        """Ask the server to cancel the goal (after it was accepted); False if it never was."""
        if not self._accepted.wait(timeout_s) or self._handle is None or not self._handle.accepted:
            return False
        self._handle.cancel_goal_async()
        return True

    def wait(self, timeout_s: float | None) -> CommandResult | None:
        """The result, once it arrived within ``timeout_s`` (None: not yet, or the goal was rejected)."""
        self._done.wait(timeout_s)
        return self._result

    @property
    def rejected(self) -> bool:
        """The server refused the goal outright (the planner node accepts every goal, so: never)."""
        return self._rejected

    def close(self) -> None:
        self._private.close(destroy=[self._client])
