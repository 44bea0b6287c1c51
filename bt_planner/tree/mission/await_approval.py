"""``AwaitApproval``: a verified plan waits here for an operator when the approval policy asks for one."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.config import ApprovalPolicy
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.tree import keys
from bt_planner.tree.mission.approval_broker import ApprovalBroker, ApprovalDecision, ApprovalRequest
from bt_planner.tree.mission.approval_policy import approval_reasons, approval_timeout_s
from bt_planner.tree.mission.mission_events import MissionEventKind
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState
from bt_planner.tree.mission.reporter import MissionReporter


class AwaitApproval(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """Holds the plan on ``/mission/plan`` until an operator approves it, if the policy says so.

    The policy is ``execution.approval`` plus the command's own (``CommandRequest.approval``); see
    ``bt_planner.tree.mission.approval_policy``. Nothing is sent to the robot while this runs.

    Blackboard: reads ``/mission/active``, ``/mission/plan`` and ``/mission/feedback`` (which
    attempt); writes ``/mission/approved`` (the plan it let through); clears ``/mission/active``
    when the plan is rejected.

    Lifecycle: ``initialise`` works out whether the plan needs approval; if so it opens a request
    on the ``ApprovalBroker`` (events ``approval_requested``) and reports AWAITING_APPROVAL.
    ``update`` is SUCCESS at once when no approval is needed; otherwise RUNNING until the broker
    has a decision: approved -> SUCCESS with ``/mission/approved`` set; rejected or timed out ->
    the command is reported REJECTED with who rejected it and why, FAILURE. ``terminate(INVALID)``
    (pre-emption, e-stop) withdraws a request still pending.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        *,
        policy: ApprovalPolicy,
        broker: ApprovalBroker,
        reporter: MissionReporter,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.policy = policy
        self.broker = broker
        self.reporter = reporter
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)
        self.blackboard.register_key(key=keys.MISSION_PLAN, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_FEEDBACK, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_APPROVED, access=Access.WRITE)
        self._request: CommandRequest | None = None
        self._plan: Plan | None = None
        self._pending: ApprovalRequest | None = None

    def initialise(self) -> None:
        self._request = self.blackboard.get(keys.MISSION_ACTIVE)
        self._plan = self.blackboard.get(keys.MISSION_PLAN)
        self._pending = None
        request, plan = self._request, self._plan
        if request is None or plan is None:
            return
        status = self.reporter.status_of(request.id)
        issues = list(status.issues) if status is not None else []
        reasons = approval_reasons(self.policy, request.approval, plan, issues)
        if not reasons:
            return
        feedback: ExecutionFeedback | None = self.blackboard.get(keys.MISSION_FEEDBACK)
        attempt = feedback.attempt + 1 if feedback is not None else 1
        self._pending = self.broker.open(
            command_id=request.id,
            command=request.command,
            source=request.source,
            plan=plan,
            issues=issues,
            reasons=reasons,
            timeout_s=approval_timeout_s(self.policy, request.approval),
            attempt=attempt,
        )
        self.reporter.event(request.id, MissionEventKind.APPROVAL_REQUESTED, request=self._pending)
        self.reporter.report(
            request,
            MissionState.AWAITING_APPROVAL,
            reason=f"waiting for approval ({'; '.join(reasons)})",
        )

    def update(self) -> Status:
        request, plan, pending = self._request, self._plan, self._pending
        if request is None or plan is None:
            self.feedback_message = "no plan to approve"
            return Status.FAILURE
        if pending is None:
            self.blackboard.set(keys.MISSION_APPROVED, plan)
            self.feedback_message = "no approval needed"
            return Status.SUCCESS
        decision = self.broker.decision(pending.id)
        if decision is None:
            self.feedback_message = f"waiting for approval, {self.broker.seconds_left(pending.id):.0f} s left"
            return Status.RUNNING
        self._pending = None
        self.reporter.event(request.id, MissionEventKind.APPROVAL_DECIDED, decision=decision)
        if decision.approved:
            self.blackboard.set(keys.MISSION_APPROVED, plan)
            self.feedback_message = f"approved by {decision.by} via {decision.via}"
            return Status.SUCCESS
        reason = _rejection(decision)
        self.reporter.report(request, MissionState.REJECTED, reason=reason)
        self.blackboard.set(keys.MISSION_ACTIVE, None)
        self.feedback_message = reason
        return Status.FAILURE

    def terminate(self, new_status: Status) -> None:
        pending, request = self._pending, self._request
        if new_status == Status.INVALID and pending is not None and request is not None:
            decision = self.broker.withdraw(pending.id, "the command ended before anyone answered")
            if decision is not None:
                self.reporter.event(request.id, MissionEventKind.APPROVAL_DECIDED, decision=decision)
        self._pending = None

    def xml_attributes(self) -> dict[str, str]:
        return {}


def _rejection(decision: ApprovalDecision) -> str:
    if decision.timed_out:
        return f"approval timed out: {decision.reason}; the plan was not executed"
    why = f": {decision.reason}" if decision.reason else ""
    return f"plan rejected by {decision.by} via {decision.via}{why}"
