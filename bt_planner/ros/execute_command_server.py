"""The ``execute_command`` action (``bt_planner_msgs/action/ExecuteCommand``) on the planner node.

Semantics, as Nav2's navigators have them:

* One goal runs at a time. A new valid goal pre-empts the running one: the mission cancels it, and its
  goal ends ABORTED with outcome CANCELLED and error_code PREEMPTED (the message names the newer goal).
* A cancel request halts the tree: the running leaf cancels the robot's goal, a planner call in flight
  is dropped, the goal ends CANCELED (outcome CANCELLED, CANCEL_REQUESTED).
* An engaged e-stop aborts the goal (ESTOP); shutting down or deactivating aborts it (SHUTDOWN).
* Malformed goals (empty or too-long command, unknown or other world file) are accepted and aborted at
  once with an error code and a message; they never disturb the running goal.
* A plan that needs an operator's approval (parameter ``approval``) shows AWAITING_APPROVAL in the
  feedback, naming the request to answer with ``decide_approval``; a rejection (or no answer in time)
  ends the goal ABORTED with outcome REJECTED and error_code APPROVAL_DENIED.
* Goals are journalled (when the node has a journal) with source ``ros-action``.
* Feedback goes out whenever the status, attempt or running action changes, and while an action runs
  at most every ``feedback_period_s`` with its progress.

Everything here runs on the node's executor thread (goal callbacks and the tick that delivers mission
statuses), so no locking is needed. :meth:`ExecuteCommandServer.on_mission_status` is registered as a
mission listener; :meth:`ExecuteCommandServer.tick` is called after every mission tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bt_planner_msgs.action import ExecuteCommand
from pydantic import ValidationError
from rclpy.action.server import ActionServer, CancelResponse, GoalResponse, ServerGoalHandle
from rclpy.node import Node
from rclpy.qos import QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, QoSReliabilityPolicy
from rclpy.task import Future

from bt_planner.core.world import World
from bt_planner.ros import plan_messages
from bt_planner.ros.plan_messages import text
from bt_planner.ros.world_file import load_world
from bt_planner.tree.mission import Mission, MissionState, MissionStatus

ACTION_NAME = "execute_command"
SERVICE_QUEUE = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=1000,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.VOLATILE,
)
"""QoS of the action's goal, result and cancel services: a burst of goals queues instead of being dropped
(rclpy's default keeps 10). Clients that send bursts should use the same depth."""
Result = ExecuteCommand.Result


@dataclass
class _Goal:
    """One accepted goal: its handle, the mission command it became (0: none), how it must end."""

    handle: ServerGoalHandle[Any, Any, Any]
    command: str
    command_id: int = 0
    done: Future[Any] = field(default_factory=Future)
    preempted_by: int = 0
    last_feedback: tuple[Any, ...] | None = None
    last_feedback_at: float = 0.0
    latest: MissionStatus | None = None
    awaiting_approval: bool = False
    """Its plan waits for an operator now (a REJECTED then is the operator's: APPROVAL_DENIED)."""


@dataclass(frozen=True)
class ActiveAction:
    """What the mission is running now, for feedback: index, count, title, progress in [0, 1]."""

    index: int = -1
    count: int = 0
    title: str = ""
    progress: float = 0.0
    message: str = ""


class ExecuteCommandServer:
    """Serves ``execute_command`` for one :class:`Mission`.

    ``mission`` returns the mission (None while the node is not active: goals are aborted NOT_ACTIVE);
    ``active_action`` describes the running action; ``world`` is the node's world and
    ``world_file`` the path it was loaded from ("" for the packaged default); a lifecycle node sets
    both (and ``max_command_length``) on every configure (None: not configured yet).
    """

    def __init__(
        self,
        node: Node,
        *,
        mission: Callable[[], Mission | None],
        active_action: Callable[[], ActiveAction],
        world: World | None,
        world_file: str,
        max_command_length: int,
        feedback_period_s: float = 0.2,
        name: str = ACTION_NAME,
    ) -> None:
        self.node = node
        self._mission = mission
        self._active_action = active_action
        self.world = world
        self.world_file = world_file
        self.max_command_length = max_command_length
        self.feedback_period_s = feedback_period_s
        self.estop_engaged = False
        self.shutting_down = False
        self._goals: dict[int, _Goal] = {}
        self._by_handle: dict[int, _Goal] = {}
        self._newest: _Goal | None = None
        self._server = ActionServer(
            node,
            ExecuteCommand,
            name,
            execute_callback=self._execute,
            goal_callback=lambda _request: GoalResponse.ACCEPT,
            handle_accepted_callback=self._on_accepted,
            cancel_callback=self._on_cancel,
            goal_service_qos_profile=SERVICE_QUEUE,
            result_service_qos_profile=SERVICE_QUEUE,
            cancel_service_qos_profile=SERVICE_QUEUE,
        )

    # ---- goals in ---------------------------------------------------------------------------

    def _check(self, request: Any) -> tuple[int, str] | None:
        """(error_code, message) if the goal cannot run, else None."""
        command = str(request.command)
        if self._mission() is None or self.shutting_down:
            return Result.NOT_ACTIVE, "the planner node is not active; activate it first (lifecycle)"
        if not command.strip():
            return Result.EMPTY_COMMAND, "the command is empty"
        if len(command) > self.max_command_length:
            return (
                Result.COMMAND_TOO_LONG,
                f"the command has {len(command)} characters; the limit is {self.max_command_length} "
                "(parameter max_command_length)",
            )
        if request.world_file:
            return self._check_world(str(request.world_file))
        return None

    def _check_world(self, path_text: str) -> tuple[int, str] | None:
        path = Path(path_text)
        if not path.is_file():
            return Result.WORLD_NOT_FOUND, f"world file not found: {text(path_text, max_chars=300)}"
        try:
            world = load_world(str(path))
        except (OSError, ValueError, ValidationError) as error:
            return (
                Result.WORLD_INVALID,
                f"world file {path} is not a valid world: {text(str(error), max_chars=500)}",
            )
        if self.world is None:
            return Result.NOT_ACTIVE, "the planner node is not configured; configure and activate it first"
        same_file = bool(self.world_file) and Path(self.world_file).resolve() == path.resolve()
        if not same_file and world != self.world:
            return (
                Result.WORLD_MISMATCH,
                f"this node plans in world {self.world.name!r} ({self.world_file or 'packaged default'}), "
                f"not {world.name!r} ({path}); start a node with world_file:={path}",
            )
        return None

    def _on_accepted(self, handle: ServerGoalHandle[Any, Any, Any]) -> None:
        request = handle.request
        goal = _Goal(handle=handle, command=str(request.command))
        self._by_handle[id(handle)] = goal
        problem = self._check(request)
        if problem is not None:
            code, message = problem
            goal.done.set_result(self._result(Result.OUTCOME_REJECTED, code, message, None))
            self.node.get_logger().warning(f"aborted a goal: {message}")
        else:
            mission = self._mission()
            assert mission is not None
            if self._newest is not None and not self._newest.done.done():
                self._newest.preempted_by = -1  # set to the new command id below
            goal.command_id = mission.submit(goal.command.strip(), source="ros-action")
            if self._newest is not None and self._newest.preempted_by == -1:
                self._newest.preempted_by = goal.command_id
            self._goals[goal.command_id] = goal
            self._newest = goal
        handle.execute()

    def _on_cancel(self, handle: ServerGoalHandle[Any, Any, Any]) -> CancelResponse:
        goal = self._by_handle.get(id(handle))
        if goal is None or goal.done.done():
            return CancelResponse.REJECT
        mission = self._mission()
        if goal is self._newest and mission is not None:
            mission.cancel("cancel requested by the action client")
        return CancelResponse.ACCEPT

    async def _execute(self, handle: ServerGoalHandle[Any, Any, Any]) -> Any:
        goal = self._by_handle[id(handle)]
        try:
            result = await goal.done
            assert result is not None
        finally:
            self._by_handle.pop(id(handle), None)
        if result.outcome == Result.OUTCOME_SUCCEEDED:
            handle.succeed()
        elif result.error_code == Result.CANCEL_REQUESTED and handle.is_cancel_requested:
            handle.canceled()
        else:
            handle.abort()
        return result

    # ---- mission statuses in (executor thread) ----------------------------------------------

    def on_mission_status(self, status: MissionStatus) -> None:
        goal = self._goals.get(status.command_id)
        if goal is None or goal.done.done():
            return
        goal.latest = status
        was_awaiting = goal.awaiting_approval
        goal.awaiting_approval = status.state is MissionState.AWAITING_APPROVAL
        if status.terminal and was_awaiting and status.state is MissionState.REJECTED:
            goal.done.set_result(
                self._result(Result.OUTCOME_REJECTED, Result.APPROVAL_DENIED, status.reason, status)
            )
            del self._goals[goal.command_id]
        elif status.terminal:
            self._finish(goal, status)
        else:
            self._feedback(goal, force=True)

    def tick(self) -> None:
        """Feedback for the running goal (bounded rate)."""
        goal = self._newest
        if goal is not None and not goal.done.done() and goal.latest is not None:
            self._feedback(goal, force=False)

    def _finish(self, goal: _Goal, status: MissionStatus) -> None:
        outcome, code = self._classify(goal, status)
        goal.done.set_result(self._result(outcome, code, status.reason or status.state.value, status))
        del self._goals[goal.command_id]

    def _classify(self, goal: _Goal, status: MissionStatus) -> tuple[int, int]:
        state = status.state
        if state is MissionState.SUCCEEDED:
            return Result.OUTCOME_SUCCEEDED, Result.NONE
        if state is MissionState.FAILED:
            return Result.OUTCOME_FAILED, Result.EXECUTION_FAILED
        if state is MissionState.REJECTED:
            code = Result.ESTOP if self.estop_engaged else Result.NO_SAFE_PLAN
            return Result.OUTCOME_REJECTED, code
        if goal.handle.is_cancel_requested:
            return Result.OUTCOME_CANCELLED, Result.CANCEL_REQUESTED
        if goal.preempted_by > 0:
            return Result.OUTCOME_CANCELLED, Result.PREEMPTED
        if self.estop_engaged:
            return Result.OUTCOME_CANCELLED, Result.ESTOP
        return Result.OUTCOME_CANCELLED, Result.SHUTDOWN

    def _result(self, outcome: int, code: int, message: str, status: MissionStatus | None) -> Any:
        result = Result()
        result.outcome = outcome
        result.error_code = code
        result.message = text(message)
        if status is not None:
            result.executed_plan = plan_messages.plan_to_msg(status.plan, world=self.world)
            result.attempts = max(status.attempt, 0)
        return result

    def _feedback(self, goal: _Goal, *, force: bool) -> None:
        status = goal.latest
        assert status is not None
        running = self._active_action() if status.state is MissionState.EXECUTING else ActiveAction()
        fingerprint = (status.state, status.attempt, running.index, running.title, running.message)
        now = time.monotonic()
        changed = fingerprint != goal.last_feedback
        if not changed and (force or now - goal.last_feedback_at < self.feedback_period_s):
            return
        if not changed and running.index < 0:
            return  # nothing runs: no progress to report
        goal.last_feedback, goal.last_feedback_at = fingerprint, now
        status_value = plan_messages.MISSION_STATUS_CODES[status.state]
        feedback = ExecuteCommand.Feedback()
        feedback.status = status_value[0]
        feedback.status_name = status_value[1]
        feedback.attempt = max(status.attempt, 1)
        feedback.action_index = running.index
        feedback.action_count = running.count
        feedback.action_title = text(running.title, max_chars=300)
        feedback.progress = float(min(max(running.progress, 0.0), 1.0))
        feedback.message = text(running.message or self._waiting_message(status) or status.reason)
        goal.handle.publish_feedback(feedback)

    def _waiting_message(self, status: MissionStatus) -> str:
        """While the plan waits for approval: which request to answer (``decide_approval``), and why."""
        mission = self._mission()
        if status.state is not MissionState.AWAITING_APPROVAL or mission is None:
            return ""
        for request in mission.approvals.pending():
            if request.command_id == status.command_id:
                return (
                    f"waiting for approval request {request.id} (decide_approval service): "
                    f"{'; '.join(request.reasons)}"
                )
        return ""

    # ---- shutdown ---------------------------------------------------------------------------

    def pending(self) -> int:
        """Goals whose result rclpy does not have yet (their execute callback has not returned)."""
        return len(self._by_handle)

    def abort_all(self, message: str) -> None:
        """End every goal that has no result yet (the mission is gone): SHUTDOWN."""
        for goal in list(self._goals.values()):
            goal.done.set_result(
                self._result(Result.OUTCOME_CANCELLED, Result.SHUTDOWN, message, goal.latest)
            )
        self._goals.clear()

    def destroy(self) -> None:
        self._server.destroy()
