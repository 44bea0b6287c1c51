"""``PlannerNodeClient``: every typed interface of one planner node, from another process.

The client behind ``bt-planner mcp --ros``. It runs its own rclpy context and executor on a daemon thread
(domain and discovery range from the ``ROS_*`` environment), and talks to the planner node in
``namespace`` ("" or ``/robot1``) only through the interfaces the node serves:

* services ``plan_command`` (dry run), ``verify_plan`` and ``decide_approval``;
* the ``execute_command`` action: any number of goals, each followed through a :class:`CommandGoal`;
* latched topics ``tree_snapshot`` (the node's robot state and world belief), ``approval_requests``
  and ``estop``, which it also publishes (the e-stop is the node's: true halts, false releases).

Everything leaves this module as pydantic models of the layers below (``Plan``, ``PlanIssue``,
``TreeSnapshot``, ``ApprovalRequest``) or of :mod:`bt_planner.ros.command_action_client`, so the caller
never touches a ROS message. Calls that need the node raise ``ToolCallRefused`` naming the interface
when nobody serves it in time.
"""

from __future__ import annotations

import json
import math
import threading
from typing import Any

from bt_planner_msgs.action import ExecuteCommand
from bt_planner_msgs.srv import DecideApproval, PlanCommand, VerifyPlan
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rclpy.action.client import ActionClient
from std_msgs.msg import Bool, String

from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.errors import ToolCallRefused
from bt_planner.plans.plan import Plan
from bt_planner.ros import qos, topics
from bt_planner.ros.approval_service import SERVICE_NAME as DECIDE_APPROVAL
from bt_planner.ros.command_action_client import (
    CommandFeedback,
    CommandResult,
    feedback_from_msg,
    result_from_msg,
)
from bt_planner.ros.execute_command_server import ACTION_NAME, SERVICE_QUEUE
from bt_planner.ros.payloads import ApprovalRequestsMessage
from bt_planner.ros.plan_services import PLAN_COMMAND, VERIFY_PLAN
from bt_planner.ros.private_node import PrivateNode
from bt_planner.snapshot import TreeSnapshot
from bt_planner.tree.mission import ApprovalRequest


class NodePlanAnswer(BaseModel):
    """What ``plan_command`` or ``verify_plan`` answered: the plan (if any), its issues and the summary."""

    model_config = ConfigDict(frozen=True)

    ok: bool = Field(description="plan_command: success; verify_plan: valid")
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list)
    message: str = ""


def issue_from_msg(msg: Any) -> PlanIssue:
    """A ``bt_planner_msgs/PlanIssue`` as a ``PlanIssue`` (NaN numbers and index -1 become None)."""
    try:
        code = IssueCode(str(msg.code))
    except ValueError:
        code = IssueCode.INTERNAL_ERROR
    value, limit = float(msg.value), float(msg.limit)
    return PlanIssue(
        code=code,
        message=str(msg.message) or str(msg.code),
        severity=Severity.WARNING if msg.severity == msg.SEVERITY_WARNING else Severity.ERROR,
        action_index=int(msg.action_index) if msg.action_index >= 0 else None,
        rule=str(msg.rule) or None,
        value=value if math.isfinite(value) else None,
        limit=limit if math.isfinite(limit) else None,
    )


def plan_from_msg(msg: Any) -> Plan | None:
    """The ``Plan`` in a ``bt_planner_msgs/Plan`` (its ``wire_json``); None when it is empty or unreadable."""
    if not msg.wire_json:
        return None
    try:
        return Plan.model_validate(json.loads(msg.wire_json))
    except (ValueError, ValidationError):
        return None


def _prefix(namespace: str) -> str:
    name = namespace.strip("/")
    return f"/{name}" if name else ""


class CommandGoal:
    """One ``execute_command`` goal: its latest feedback, its result once it ended, and cancel.

    Callbacks arrive on the client's ROS thread; the properties are safe to read from any thread.
    """

    def __init__(self, command: str) -> None:
        self.command = command
        self._lock = threading.Lock()
        self._handle: Any = None
        self._feedback: CommandFeedback | None = None
        self._result: CommandResult | None = None
        self._refused: str | None = None
        self._cancel_asked = False
        self.accepted = threading.Event()
        self.done = threading.Event()

    @property
    def feedback(self) -> CommandFeedback | None:
        with self._lock:
            return self._feedback

    @property
    def result(self) -> CommandResult | None:
        with self._lock:
            return self._result

    @property
    def refused(self) -> str | None:
        """Why the goal never started (the node refused it, or sending failed); None otherwise."""
        with self._lock:
            return self._refused

    def on_feedback(self, msg: Any) -> None:
        with self._lock:
            self._feedback = feedback_from_msg(msg.feedback)

    def on_response(self, future: Any) -> None:
        try:
            handle = future.result()
        except Exception as error:  # the goal request failed in the middleware
            self._end(refused=f"sending the goal failed: {error}")
            return
        with self._lock:
            self._handle = handle
            cancel = self._cancel_asked
        self.accepted.set()
        if not handle.accepted:
            self._end(refused="the planner node refused the goal")
            return
        handle.get_result_async().add_done_callback(self._on_result)
        if cancel:
            handle.cancel_goal_async()

    def _on_result(self, future: Any) -> None:
        try:
            wrapped = future.result()
        except Exception as error:
            self._end(refused=f"the goal's result never arrived: {error}")
            return
        with self._lock:
            self._result = result_from_msg(int(wrapped.status), wrapped.result)
        self.done.set()

    def _end(self, *, refused: str) -> None:
        with self._lock:
            self._refused = refused
        self.accepted.set()
        self.done.set()

    def cancel(self) -> None:
        """Ask the node to cancel the goal (now, or as soon as it is accepted)."""
        with self._lock:
            self._cancel_asked = True
            handle = self._handle
        if handle is not None and handle.accepted and not self.done.is_set():
            handle.cancel_goal_async()


class PlannerNodeClient:
    """The planner node in ``namespace``, through its typed interfaces; ``close()`` it when done.

    Args:
        namespace: the robot's namespace ("" for a single robot, ``robot1`` for a fleet robot).
        server_timeout_s: how long a call waits for the node to serve a service or the action.
        node_name: this client's ROS node name.
    """

    def __init__(
        self, *, namespace: str = "", server_timeout_s: float = 10.0, node_name: str = "bt_planner_mcp"
    ) -> None:
        self.prefix = _prefix(namespace)
        self.server_timeout_s = server_timeout_s
        self._private = PrivateNode(node_name, thread_name="ros-mcp")
        node = self._node = self._private.node
        self._plan: Any = node.create_client(PlanCommand, self.name(PLAN_COMMAND))
        self._verify: Any = node.create_client(VerifyPlan, self.name(VERIFY_PLAN))
        self._decide: Any = node.create_client(DecideApproval, self.name(DECIDE_APPROVAL))
        self._action: ActionClient[Any, Any, Any] = ActionClient(
            node, ExecuteCommand, self.name(ACTION_NAME), goal_service_qos_profile=SERVICE_QUEUE,
            result_service_qos_profile=SERVICE_QUEUE, cancel_service_qos_profile=SERVICE_QUEUE,
        )  # fmt: skip
        self._estop_publisher = node.create_publisher(
            Bool, self.name(topics.ESTOP.name), qos.for_topic(topics.ESTOP)
        )
        self._lock = threading.Lock()
        self._snapshot: TreeSnapshot | None = None
        self._snapshot_seen = threading.Condition(self._lock)
        self._approvals: tuple[ApprovalRequest, ...] = ()
        self._estop: bool | None = None
        self._subscriptions = [
            node.create_subscription(String, self.name(topics.TREE_SNAPSHOT.name), self._on_snapshot,
                                     qos.for_topic(topics.TREE_SNAPSHOT)),
            node.create_subscription(String, self.name(topics.APPROVAL_REQUESTS.name), self._on_approvals,
                                     qos.for_topic(topics.APPROVAL_REQUESTS)),
            node.create_subscription(Bool, self.name(topics.ESTOP.name), self._on_estop,
                                     qos.for_topic(topics.ESTOP)),
        ]  # fmt: skip
        self._private.start()

    def name(self, relative: str) -> str:
        """The absolute name of one of the node's interfaces (``/robot1/plan_command``)."""
        return f"{self.prefix}/{relative}"

    # ---- latched topics -----------------------------------------------------------------------

    def _on_snapshot(self, msg: String) -> None:
        try:
            snapshot = TreeSnapshot.model_validate_json(msg.data)
        except ValidationError:
            return
        with self._snapshot_seen:
            self._snapshot = snapshot
            self._snapshot_seen.notify_all()

    def _on_approvals(self, msg: String) -> None:
        try:
            message = ApprovalRequestsMessage.model_validate_json(msg.data)
        except ValidationError:
            return
        with self._lock:
            self._approvals = message.pending

    def _on_estop(self, msg: Bool) -> None:
        with self._lock:
            self._estop = bool(msg.data)

    def snapshot(self, *, timeout_s: float = 0.0) -> TreeSnapshot | None:
        """The node's latest tree snapshot (robot state and world belief); waits up to ``timeout_s`` for one."""
        with self._snapshot_seen:
            self._snapshot_seen.wait_for(lambda: self._snapshot is not None, timeout=timeout_s)
            return self._snapshot

    def snapshot_after(self, timestamp: float, *, timeout_s: float) -> TreeSnapshot | None:
        """The first snapshot newer than ``timestamp`` (within ``timeout_s``), else the latest one."""
        with self._snapshot_seen:
            self._snapshot_seen.wait_for(
                lambda: self._snapshot is not None and self._snapshot.timestamp > timestamp, timeout=timeout_s
            )
            return self._snapshot

    def pending_approvals(self) -> tuple[ApprovalRequest, ...]:
        """The plans waiting for an operator on the node (``approval_requests``)."""
        with self._lock:
            return self._approvals

    def estop_engaged(self) -> bool:
        """The last value on ``estop`` (anyone's); False when nobody has published one."""
        with self._lock:
            return bool(self._estop)

    def publish_estop(self, engaged: bool) -> None:
        """Engage (True) or release (False) the node's e-stop."""
        with self._lock:
            self._estop = engaged
        self._estop_publisher.publish(Bool(data=engaged))

    # ---- services -----------------------------------------------------------------------------

    def _call(self, client: Any, request: Any, *, timeout_s: float) -> Any:
        if not client.wait_for_service(timeout_sec=self.server_timeout_s):
            raise ToolCallRefused(
                f"no planner node serves {client.srv_name} (waited {self.server_timeout_s:g} s): is the node "
                "running and active, in this ROS domain and namespace?"
            )
        done = threading.Event()
        future = client.call_async(request)
        future.add_done_callback(lambda _future: done.set())
        if not done.wait(timeout_s):
            future.cancel()
            raise ToolCallRefused(f"{client.srv_name} did not answer within {timeout_s:g} s")
        return future.result()

    def plan_command(self, command: str, *, timeout_s: float) -> NodePlanAnswer:
        """Dry run on the node: plan and verify ``command``; nothing moves."""
        response = self._call(self._plan, PlanCommand.Request(command=command), timeout_s=timeout_s)
        return self._answer(bool(response.success), response)

    def verify_plan(self, plan: Plan, *, timeout_s: float) -> NodePlanAnswer:
        """Verify ``plan`` with the node's safety limits and world belief."""
        request = VerifyPlan.Request(plan_json=json.dumps(plan.to_wire()))
        response = self._call(self._verify, request, timeout_s=timeout_s)
        return self._answer(bool(response.valid), response)

    @staticmethod
    def _answer(ok: bool, response: Any) -> NodePlanAnswer:
        return NodePlanAnswer(
            ok=ok,
            plan=plan_from_msg(response.plan),
            issues=[issue_from_msg(issue) for issue in response.issues],
            message=str(response.message),
        )

    def decide_approval(
        self, request_id: str, *, approve: bool, reason: str, operator: str, timeout_s: float
    ) -> tuple[bool, str]:
        """Approve or reject a pending request on the node: (decided, the node's message)."""
        request = DecideApproval.Request(
            request_id=request_id, approve=approve, reason=reason, operator_name=operator
        )
        response = self._call(self._decide, request, timeout_s=timeout_s)
        return bool(response.accepted), str(response.message)

    # ---- the action ---------------------------------------------------------------------------

    def execute(self, command: str) -> CommandGoal:
        """Send ``command`` as an ``execute_command`` goal; the node plans, verifies and runs it.

        Raises:
            ToolCallRefused: no node serves the action within ``server_timeout_s``.
        """
        if not self._action.wait_for_server(timeout_sec=self.server_timeout_s):
            raise ToolCallRefused(
                f"no planner node serves the {self.name(ACTION_NAME)} action (waited {self.server_timeout_s:g} s)"
            )
        goal = CommandGoal(command)
        future = self._action.send_goal_async(
            ExecuteCommand.Goal(command=command), feedback_callback=goal.on_feedback
        )
        future.add_done_callback(goal.on_response)
        return goal

    def close(self) -> None:
        self._private.close(destroy=[self._action])
