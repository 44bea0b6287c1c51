"""Operator approval over ROS: the pending requests on ``approval_requests``, answers on ``decide_approval``.

While a verified plan waits in the mission's ``AwaitApproval`` leaf, the planner node publishes every
pending :class:`bt_planner.tree.mission.ApprovalRequest` (plan, verification issues, why it needs approval,
its timeout) on the latched String topic ``approval_requests`` (JSON, :class:`ApprovalRequestsMessage`);
the topic is republished whenever a request opens or is decided, so a late subscriber gets the current
list at once and an empty list means nothing waits. ``decide_approval``
(``bt_planner_msgs/srv/DecideApproval``) approves or rejects one request; the decision is journalled as
``<operator> via ros``. The broker's listener and the service callback both run on the node's executor
thread (the tick opens requests; timeouts are decided in the tick too).
"""

from __future__ import annotations

import time
from typing import Any

from bt_planner_msgs.srv import DecideApproval
from rclpy.node import Node
from std_msgs.msg import String

from bt_planner.config import ApprovalPolicy
from bt_planner.errors import ApprovalError
from bt_planner.ros import qos, topics
from bt_planner.ros.payloads import ApprovalRequestsMessage
from bt_planner.ros.plan_messages import text
from bt_planner.tree.mission import ApprovalBroker, ApprovalDecision, ApprovalRequest

SERVICE_NAME = "decide_approval"
VIA = "ros"
"""What every decision made here is journalled as having come through."""


def policy_text(policy: ApprovalPolicy) -> str:
    """``policy`` as the ``approval`` parameter writes it: ``always``, ``for_actions grasp place``."""
    return " ".join((policy.mode, *policy.actions))


class ApprovalService:
    """Publishes ``broker``'s pending requests and serves ``decide_approval`` on ``node``."""

    def __init__(self, node: Node, *, broker: ApprovalBroker) -> None:
        self.node = node
        self.broker = broker
        self._publisher = node.create_publisher(
            String, topics.APPROVAL_REQUESTS.name, qos.for_topic(topics.APPROVAL_REQUESTS)
        )
        self._service = node.create_service(DecideApproval, SERVICE_NAME, self._on_decide)
        broker.subscribe(self._on_change)
        self.publish()

    def publish(self) -> None:
        """Publish the pending requests now (oldest first; empty when none waits)."""
        message = ApprovalRequestsMessage(timestamp=time.time(), pending=tuple(self.broker.pending()))
        self._publisher.publish(String(data=message.model_dump_json()))

    def _on_change(self, request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        if decision is None:
            reasons = "; ".join(request.reasons)
            self.node.get_logger().info(
                f"plan for command {request.command_id} ({text(request.command, max_chars=80)!r}) waits for "
                f"approval as request {request.id}: {reasons}; answer with the {SERVICE_NAME} service"
            )
        self.publish()

    def _on_decide(self, request: Any, response: Any) -> Any:
        by = text(str(request.operator_name).strip(), max_chars=200) or VIA
        request_id = str(request.request_id).strip()
        try:
            if not request_id:
                request_id = self._only_pending()
            if request.approve:
                self.broker.approve(request_id, by=by, via=VIA)
                verdict = "approved"
            else:
                self.broker.reject(request_id, by=by, via=VIA, reason=text(str(request.reason)))
                verdict = "rejected"
        except ApprovalError as error:
            response.accepted = False
            response.message = text(str(error))
            return response
        response.accepted = True
        response.message = f"request {request_id} {verdict} by {by} via {VIA}"
        self.node.get_logger().info(response.message)
        return response

    def _only_pending(self) -> str:
        pending = [r.id for r in self.broker.pending()]
        if len(pending) != 1:
            raise ApprovalError(
                f"request_id is empty and {len(pending)} requests are pending ({pending}); name one"
            )
        return pending[0]

    def destroy(self) -> None:
        self.node.destroy_service(self._service)
