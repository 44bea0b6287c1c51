"""``RosSession``: the MCP tools against a ROS robot, through the planner node's typed interfaces.

``bt-planner mcp --ros [--robot NAME]`` serves this session instead of the simulator's
``RobotSession``; the tools are the same (:class:`bt_planner.mcp_server.session_protocol.McpSession`).
Every tool calls the planner node (in namespace ``/NAME`` for a fleet robot) through
:class:`bt_planner.ros.planner_node_client.PlannerNodeClient`:

* ``plan`` → the ``plan_command`` service (a dry run on the node: plan and verify, nothing moves);
  ``verify_plan`` → the ``verify_plan`` service. Both store the plan with its verdict and the node's
  robot state and world belief (``tree_snapshot``) it was verified against, as the simulator session does.
* ``execute`` → an ``execute_command`` goal. The action takes a command, not a plan: for a plan id the
  stored plan's *command* is sent, and the node plans and verifies it again before anything moves (the
  node never runs a plan it has not verified itself). So a plan id is refused when its plan failed
  verification, when it is stale (the node's robot state or belief changed since), or when it has no
  command (a ``verify_plan`` plan given without one). One run at a time, none while the e-stop is engaged.
* ``run_status`` from the goal's feedback and result; ``cancel`` cancels the goal; ``estop`` /
  ``release`` publish on the node's ``estop`` topic (the latched value anyone published is reported).
* ``approve`` / ``reject`` → the ``decide_approval`` service, for the node's request on
  ``approval_requests`` that belongs to the run; ``mcp.allow_approvals`` decides who may approve, as for
  the simulator. Rejecting is always allowed.
* ``describe_world`` / ``robot_state`` from the node's latched ``tree_snapshot``.

Safety stays on the node: its limits, its verifier, its guards and its approval policy decide. The
limits ``describe_world`` shows are this server's configuration; start both from the same config file.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.core.issues import PlanIssue
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.errors import ToolCallRefused
from bt_planner.journal import Journal
from bt_planner.mcp_server.approval_permission import refuse_if_approvals_off, refuse_self_approval
from bt_planner.mcp_server.plan_store import PlanStore, StoredPlan
from bt_planner.mcp_server.state_fingerprint import StateFingerprint
from bt_planner.mcp_server.tool_models import (
    ApprovalAnswer,
    ApprovalView,
    ExecuteAnswer,
    PlanAnswer,
    RobotView,
    RunState,
    RunStatus,
    StopAnswer,
    WorldView,
)
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.ros.planner_node_client import CommandGoal, PlannerNodeClient
from bt_planner.snapshot import TreeSnapshot
from bt_planner.tree.mission import ApprovalRequest
from bt_planner.tree.mission.belief import apply_robot_state

PLAN_TIMEOUT_S = 180.0
"""Longest wait for the node's ``plan_command`` answer (the node's planner has its own timeouts)."""
CALL_TIMEOUT_S = 20.0
"""Longest wait for ``verify_plan`` and ``decide_approval``."""

_RUNNING_STATES: dict[str, RunState] = {
    "RECEIVED_COMMAND": "PENDING",
    "PLANNING_STARTED": "PLANNING",
    "PLANNING_SUCCESS": "PLANNING",
    "AWAITING_APPROVAL": "AWAITING_APPROVAL",
    "EXECUTING": "EXECUTING",
}
"""The node's planner statuses (action feedback) as run states, while the goal runs."""
_OUTCOME_STATES: dict[str, RunState] = {
    "SUCCEEDED": "SUCCEEDED",
    "FAILED": "FAILED",
    "REJECTED": "REJECTED",
    "CANCELLED": "CANCELLED",
}

TOOL_NOTES: Mapping[str, str] = {
    "": "This server commands a ROS robot through its bt_planner planner node: the node plans, verifies"
    " (its own limits), asks for approval (its own policy) and executes.",
    "execute": "ROS robot: the node's execute_command action takes a command. For a plan_id, the stored"
    " plan's command is sent and the node plans and verifies it again before anything moves (it never runs"
    " a plan it has not verified itself), so the plan it runs may differ from the stored one; run_status"
    " shows the plan it ran. A plan_id with no command (verify_plan without one) is refused. A per-run"
    " approval policy is refused: the node's approval parameter applies.",
    "describe_world": "ROS robot: the world is the node's belief (tree_snapshot); the limits shown are this"
    " server's configuration, the node verifies with its own.",
}


SETTLE_TIMEOUT_S = 3.0
"""How long a read waits for the snapshot that shows an ended run's end state."""
_SETTLED_STATUSES = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "PLANNING_FAILED", "REJECTED"})


@dataclass
class _RosRun:
    """One run: the ``execute_command`` goal and what it is for."""

    run_id: str
    command: str
    plan_id: str | None
    client: str
    client_app: str | None
    started_at: float
    goal: CommandGoal
    request: ApprovalRequest | None = None
    decision: ApprovalAnswer | None = None
    last_state: RunState = "PENDING"


class RosSession:
    """A ROS robot behind the MCP tools, through its planner node. Thread-safe; see the module docstring.

    Args:
        settings: ``mcp`` settings (plan store size, who may approve) and the limits shown to clients.
        robot: the fleet robot's name (its namespace); "" for the un-namespaced planner node.
        journal: journal every tool call there (the node journals its commands itself).
        client: the node client to use (default: a new one on the ``ROS_*`` environment's domain).
        server_timeout_s: how long a call waits for the node to serve an interface.
    """

    tool_notes: Mapping[str, str] = TOOL_NOTES

    def __init__(
        self,
        *,
        settings: Settings,
        robot: str = "",
        journal: Journal | None = None,
        client: PlannerNodeClient | None = None,
        server_timeout_s: float = 10.0,
    ) -> None:
        self.settings = settings
        self.limits = settings.safety
        self.custom_actions = CustomActionRegistry()
        self.journal = journal
        self.robot = robot
        self.server_timeout_s = server_timeout_s
        self.node = client if client is not None else PlannerNodeClient(
            namespace=robot, server_timeout_s=server_timeout_s
        )  # fmt: skip
        self._plans = PlanStore(settings.mcp.max_stored_plans)
        self._lock = threading.Lock()
        self._runs: dict[str, _RosRun] = {}
        self._run_ids = itertools.count(1)
        self._started = time.monotonic()

    # ---- reading ----------------------------------------------------------------------------

    def _latest(self) -> TreeSnapshot:
        snapshot = self.node.snapshot(timeout_s=self.server_timeout_s)
        if snapshot is None or snapshot.robot is None or snapshot.world is None:
            raise ToolCallRefused(
                f"the planner node has published no tree snapshot on {self.node.name('tree_snapshot')} "
                f"(waited {self.server_timeout_s:g} s): is it running, in this ROS domain and namespace?"
            )
        return self._settled(snapshot)

    def _settled(self, snapshot: TreeSnapshot) -> TreeSnapshot:
        """``snapshot``, or a newer one if it still shows a run of ours running that has ended.

        The result of a goal can arrive before the snapshot that shows its end state (snapshots go
        out on change and at least every ``snapshot_period_s``); a read right after the result must
        not see the world from before the last action.
        """
        with self._lock:
            ended = [run for run in self._runs.values() if run.goal.done.is_set()]
        last = max(ended, key=lambda run: run.started_at, default=None)
        mission = snapshot.mission
        if last is None or mission is None or mission.command != last.command:
            return snapshot
        if mission.status in _SETTLED_STATUSES:
            return snapshot
        newer = self.node.snapshot_after(snapshot.timestamp, timeout_s=SETTLE_TIMEOUT_S)
        return (
            newer if newer is not None and newer.robot is not None and newer.world is not None else snapshot
        )

    @staticmethod
    def _seen(snapshot: TreeSnapshot) -> tuple[RobotState, World]:
        assert snapshot.robot is not None and snapshot.world is not None  # checked by _latest
        return snapshot.robot, apply_robot_state(snapshot.world, snapshot.robot)

    def state(self) -> RobotState:
        """The robot's state as the node last published it."""
        return self._seen(self._latest())[0]

    def world(self) -> World:
        """The node's world belief, with the robot's state applied."""
        return self._seen(self._latest())[1]

    def _fingerprint(self) -> StateFingerprint:
        state, world = self._seen(self._latest())
        return StateFingerprint.of(state, world)

    def describe_world(self) -> WorldView:
        return WorldView(world=self.world(), limits=self.limits, backend="ros")

    def robot_view(self) -> RobotView:
        state = self.state()
        active = self._active()
        return RobotView(
            state=state, estop_engaged=self.node.estop_engaged(),
            active_run_id=active.run_id if active is not None else None,
            sim_time_s=time.monotonic() - self._started,
        )  # fmt: skip

    def snapshot(self) -> TreeSnapshot | None:
        return self.node.snapshot()

    # ---- planning (nothing moves) -----------------------------------------------------------

    def plan(self, command: str) -> PlanAnswer:
        """The node plans and verifies ``command`` (``plan_command``); the plan is stored, nothing moves."""
        against = self._fingerprint()
        answer = self.node.plan_command(command, timeout_s=PLAN_TIMEOUT_S)
        if answer.plan is None:
            return PlanAnswer(verified=False, issues=answer.issues, command=command)
        return self._store(command=command, plan=answer.plan, verified=answer.ok, issues=answer.issues,
                           against=against, source="plan")  # fmt: skip

    def verify_plan(self, plan: Plan, command: str = "") -> PlanAnswer:
        """The node verifies ``plan`` (``verify_plan``) with its limits and belief; stored with its verdict."""
        against = self._fingerprint()
        answer = self.node.verify_plan(plan, timeout_s=CALL_TIMEOUT_S)
        return self._store(command=command, plan=plan, verified=answer.ok, issues=answer.issues,
                           against=against, source="verify_plan")  # fmt: skip

    def _store(
        self, *, command: str, plan: Plan, verified: bool, issues: list[PlanIssue], against: StateFingerprint,
        source: str,
    ) -> PlanAnswer:  # fmt: skip
        stored = StoredPlan(plan_id=self._plans.new_id(), command=command, plan=plan, verified=verified,
                            issues=issues, verified_against=against, source=source)  # fmt: skip
        self._plans.add(stored)
        return PlanAnswer(
            plan_id=stored.plan_id, verified=verified, plan=plan, issues=issues, command=command
        )

    # ---- executing --------------------------------------------------------------------------

    def _active(self) -> _RosRun | None:
        with self._lock:
            for run in self._runs.values():
                if not run.goal.done.is_set():
                    return run
        return None

    def execute(
        self,
        *,
        plan_id: str | None = None,
        command: str | None = None,
        client: str = "stdio",
        client_app: str | None = None,
        approval: ApprovalPolicy | None = None,
    ) -> ExecuteAnswer:
        """Send a stored plan's command (``plan_id``) or ``command`` to the node as an ``execute_command`` goal.

        Raises:
            ToolCallRefused: neither or both of ``plan_id`` and ``command``, an unknown ``plan_id``, or a
                per-run ``approval`` (the node's approval policy applies).
        """
        if (plan_id is None) == (command is None):
            raise ToolCallRefused(
                "execute takes exactly one of plan_id (from plan or verify_plan) and command"
            )
        if approval is not None:
            raise ToolCallRefused(
                "a per-run approval policy is not supported against a ROS robot: the planner node's approval"
                " parameter decides which plans wait for an operator"
            )
        refusal = self._refusal(plan_id)
        if isinstance(refusal, ExecuteAnswer):
            return refusal
        text = refusal if plan_id is not None else (command or "")
        with self._lock:
            busy = next((run for run in self._runs.values() if not run.goal.done.is_set()), None)
            if busy is not None:
                return ExecuteAnswer(accepted=False, plan_id=plan_id, rule="busy",
                                     reason=f"run {busy.run_id} is active: wait for it or cancel it")  # fmt: skip
            try:
                goal = self.node.execute(text)
            except ToolCallRefused as error:
                return ExecuteAnswer(accepted=False, plan_id=plan_id, rule="unavailable", reason=str(error))
            run = _RosRun(run_id=f"run-{next(self._run_ids)}", command=text, plan_id=plan_id, client=client,
                          client_app=client_app, started_at=time.monotonic(), goal=goal)  # fmt: skip
            self._runs[run.run_id] = run
        if not goal.accepted.wait(self.server_timeout_s) or goal.refused is not None:
            why = goal.refused or f"the node did not accept the goal within {self.server_timeout_s:g} s"
            return ExecuteAnswer(accepted=False, run_id=run.run_id, plan_id=plan_id, rule="unavailable",
                                 reason=why)  # fmt: skip
        return ExecuteAnswer(accepted=True, run_id=run.run_id, plan_id=plan_id)

    def _refusal(self, plan_id: str | None) -> ExecuteAnswer | str:
        """Why the e-stop or the stored plan forbids executing; else the command to send ("" for none)."""
        if self.node.estop_engaged():
            return ExecuteAnswer(accepted=False, plan_id=plan_id, rule="estop",
                                 reason="the emergency stop is engaged: call release first")  # fmt: skip
        if plan_id is None:
            return ""
        stored = self._plans.get(plan_id)
        if stored is None:
            raise ToolCallRefused(f"unknown plan_id {plan_id!r}: call plan or verify_plan first")
        if not stored.verified:
            summary = "; ".join(str(issue) for issue in stored.issues if issue.severity.value == "error")
            return ExecuteAnswer(accepted=False, plan_id=plan_id, rule="verification", issues=stored.issues,
                                 reason=f"plan {plan_id} failed verification: {summary}")  # fmt: skip
        if not stored.command.strip():
            return ExecuteAnswer(
                accepted=False, plan_id=plan_id, rule="command_required",
                reason=f"plan {plan_id} has no command: the ROS planner node executes commands (it plans and"
                " verifies them itself); call verify_plan with the command, or execute(command)",
            )  # fmt: skip
        changes = stored.verified_against.changes(self._fingerprint())
        if changes:
            return ExecuteAnswer(
                accepted=False, plan_id=plan_id, rule="stale",
                reason=f"plan {plan_id} is stale: since it was verified, {'; '.join(changes)}; verify or plan"
                " again",
            )  # fmt: skip
        return stored.command

    def run_status(self, run_id: str) -> RunStatus:
        """How run ``run_id`` stands, from its goal's feedback and result.

        Raises:
            ToolCallRefused: no run has that id.
        """
        run = self._find(run_id)
        goal, result, feedback = run.goal, run.goal.result, run.goal.feedback
        plan: Plan | None = None
        attempt, action_index, reason = 0, None, ""
        if result is not None:
            state = _OUTCOME_STATES.get(result.outcome, "FAILED")
            reason = (
                result.message if result.error_code == "NONE" else f"{result.error_code}: {result.message}"
            )
            attempt = result.attempts
            if result.executed_plan and result.executed_plan.get("actions"):
                with contextlib.suppress(ValueError):
                    plan = Plan.model_validate(result.executed_plan)
        elif goal.refused is not None:
            state, reason = "FAILED", goal.refused
        else:
            state = run.last_state
            if feedback is not None:
                state = _RUNNING_STATES.get(feedback.status, state)
                if state == "PLANNING" and feedback.attempt > 1:
                    state = "REPLANNING"
                attempt, reason = feedback.attempt, feedback.message
                action_index = feedback.action_index if feedback.action_index >= 0 else None
            run.last_state = state
            plan = self._running_plan(run)
        approval = self._approval_view(run, state)
        return RunStatus(
            run_id=run.run_id, state=state, command=run.command, plan_id=run.plan_id, reason=reason,
            attempt=attempt, plan=plan, action_index=action_index,
            sim_time_s=time.monotonic() - run.started_at, terminal=goal.done.is_set(), approval=approval,
        )  # fmt: skip

    def _running_plan(self, run: _RosRun) -> Plan | None:
        snapshot = self.node.snapshot()
        mission = snapshot.mission if snapshot is not None else None
        if mission is None or mission.command != run.command or not mission.plan:
            return None
        try:
            return Plan.model_validate(mission.plan)
        except ValueError:
            return None

    def _find(self, run_id: str) -> _RosRun:
        with self._lock:
            run = self._runs.get(run_id)
            known = ", ".join(self._runs) or "none yet"
        if run is None:
            raise ToolCallRefused(f"unknown run_id {run_id!r} (runs: {known})")
        return run

    # ---- approving --------------------------------------------------------------------------

    def _request_of(self, run: _RosRun) -> ApprovalRequest | None:
        """The node's pending request for ``run``'s command (the newest, if several wait for it)."""
        mine = [request for request in self.node.pending_approvals() if request.command == run.command]
        return mine[-1] if mine else None

    def _answer_via(self, run: _RosRun) -> str:
        who = self.settings.mcp.allow_approvals
        if who == "never":
            return ("an operator approves it with the node's decide_approval service; approvals over MCP are off"
                    " (mcp.allow_approvals: never); reject(run_id, reason) is allowed")  # fmt: skip
        if who == "other_clients":
            return f"approve(run_id) from an MCP client other than {run.client!r}, or reject(run_id, reason)"
        return "approve(run_id) or reject(run_id, reason)"

    def _approval_view(self, run: _RosRun, state: RunState) -> ApprovalView | None:
        request = self._request_of(run) if state == "AWAITING_APPROVAL" else None
        if request is not None:
            run.request = request
            left = max(0.0, request.timeout_s - (time.time() - request.requested_at))
            return ApprovalView(request_id=request.id, pending=True, reasons=request.reasons,
                                seconds_left=round(left, 3), answer_via=self._answer_via(run))  # fmt: skip
        if run.request is None:
            return None
        decision = run.decision
        return ApprovalView(
            request_id=run.request.id, pending=False, reasons=run.request.reasons,
            approved=decision.approved if decision is not None else None,
            by=decision.by if decision is not None else None, via="mcp" if decision is not None else None,
        )  # fmt: skip

    def _pending(self, run_id: str) -> tuple[_RosRun, ApprovalRequest]:
        run = self._find(run_id)
        status = self.run_status(run_id)
        request = self._request_of(run) if status.state == "AWAITING_APPROVAL" else None
        if request is None:
            raise ToolCallRefused(f"run {run_id} is not waiting for approval (it is {status.state})")
        return run, request

    def _decide(
        self, run: _RosRun, request: ApprovalRequest, *, approve: bool, reason: str, client: str
    ) -> str:
        decided, message = self.node.decide_approval(
            request.id, approve=approve, reason=reason, operator=f"mcp:{client}", timeout_s=CALL_TIMEOUT_S
        )
        if not decided:
            raise ToolCallRefused(f"the planner node did not take the decision: {message}")
        return message

    def approve(self, run_id: str, *, client: str = "stdio") -> ApprovalAnswer:
        """Approve run ``run_id``'s pending plan on the node, if ``mcp.allow_approvals`` lets ``client``.

        Raises:
            ToolCallRefused: approvals over MCP are off, ``client`` executed the run and only other
                clients may approve, the run is unknown or not waiting, or the node refused the decision.
        """
        refuse_if_approvals_off(self.settings.mcp, elsewhere="with the node's decide_approval service")
        run, request = self._pending(run_id)
        refuse_self_approval(
            self.settings.mcp, client=client, run_client=run.client, run_id=run_id, who_else="an operator"
        )
        message = self._decide(run, request, approve=True, reason="", client=client)
        run.decision = ApprovalAnswer(run_id=run_id, request_id=request.id, approved=True, by=client,
                                      message=f"run {run_id}'s plan is approved; it executes now ({message})")  # fmt: skip
        return run.decision

    def reject(self, run_id: str, *, reason: str, client: str = "stdio") -> ApprovalAnswer:
        """Reject run ``run_id``'s pending plan on the node (any client may: it moves nothing).

        Raises:
            ToolCallRefused: the run is unknown or not waiting, or the node refused the decision.
        """
        run, request = self._pending(run_id)
        message = self._decide(run, request, approve=False, reason=reason, client=client)
        run.decision = ApprovalAnswer(run_id=run_id, request_id=request.id, approved=False, by=client,
                                      message=f"run {run_id}'s plan is rejected; nothing moved ({message})")  # fmt: skip
        return run.decision

    # ---- stopping ---------------------------------------------------------------------------

    def cancel(self, run_id: str | None = None) -> StopAnswer:
        """Cancel the active run's goal (``run_id``: only if it is that one); the node halts the tree.

        Raises:
            ToolCallRefused: ``run_id`` names no run.
        """
        if run_id is not None:
            self._find(run_id)
        active, estop = self._active(), self.node.estop_engaged()
        if active is None or (run_id is not None and active.run_id != run_id):
            ended = f"run {run_id} has already ended" if run_id is not None else "no run is active"
            return StopAnswer(estop_engaged=estop, message=f"{ended}; nothing to cancel")
        active.goal.cancel()
        return StopAnswer(estop_engaged=estop, run_id=active.run_id,
                          message=f"run {active.run_id} is being cancelled")  # fmt: skip

    def estop(self) -> StopAnswer:
        """Engage the node's e-stop (``estop`` true): everything halts, the active goal aborts (ESTOP)."""
        active = self._active()
        self.node.publish_estop(True)
        stopped = active.run_id if active is not None else None
        message = "emergency stop engaged on the planner node" + (
            f"; run {stopped} is stopped" if stopped else ""
        )
        return StopAnswer(
            estop_engaged=True, run_id=stopped, message=message + "; call release to move again"
        )

    def release(self) -> StopAnswer:
        """Release the node's e-stop (``estop`` false); nothing moves until the next execute."""
        was = self.node.estop_engaged()
        self.node.publish_estop(False)
        message = "emergency stop released" if was else "the emergency stop was not engaged"
        return StopAnswer(estop_engaged=False, message=message)

    def close(self, timeout_s: float = 5.0) -> None:
        """Cancel the active goal, wait (bounded) for its result, and close the node client."""
        active = self._active()
        if active is not None:
            active.goal.cancel()
            active.goal.done.wait(timeout_s)
        self.node.close()
