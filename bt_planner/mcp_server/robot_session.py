"""``RobotSession``: the robot an MCP server commands, behind verification, one run at a time.

The MCP tools are thin: each calls one method here. The session owns the simulated robot, the
world belief plans are verified against, the plans handed out (``PlanStore``) and the runs. A run
is a ``MissionRunner`` on a thread of its own (the mission plans, verifies, executes and re-plans
exactly as for ``bt-planner run``); ``cancel`` and ``estop`` reach it through the mission's
thread-safe inputs. Between runs nothing ticks and the robot stands still.

Every execution goes through :meth:`RobotSession.admit`: the e-stop, one run at a time, the plan
passed verification, it is not stale (the robot state or world belief changed since it was
verified: the refusal says what changed), it still verifies now, and then each extra
``ExecutionGate`` in order.

Journal and approval take the same path as ``bt-planner run``: each run's ``MissionRunner`` gets
the session's ``Journal`` (every run is journalled with source ``mcp``, plus an ``mcp_request``
event naming the client and the run id) and the session's ``ApprovalBroker``, so a plan that
``execution.approval`` (or the run's own ``approval``, which can only add a gate) holds waits in
the mission, AWAITING_APPROVAL, with nothing sent to the robot. Who may answer over MCP is
``mcp.allow_approvals``: ``never`` (default: the agent that asked for a plan must not approve it;
the viewer, or another front end sharing the broker, does), ``other_clients`` (an authenticated
client other than the one that executed it) or ``any_client``. Rejecting is always allowed.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.core.issues import PlanIssue, has_errors
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.errors import ApprovalError, JournalUnavailable, ToolCallRefused
from bt_planner.execution import CommandReport, GivenPlanPlanner, MissionRunner
from bt_planner.journal import Journal
from bt_planner.mcp_server.approval_permission import refuse_if_approvals_off, refuse_self_approval
from bt_planner.mcp_server.execution_gate import ALLOW, ExecutionGate, ExecutionRequest, GateDecision
from bt_planner.mcp_server.plan_store import PlanStore, StoredPlan
from bt_planner.mcp_server.state_fingerprint import StateFingerprint
from bt_planner.mcp_server.tool_models import (
    ApprovalAnswer,
    ApprovalView,
    ExecuteAnswer,
    PlanAnswer,
    RobotView,
    RunStatus,
    StopAnswer,
    WorldView,
)
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.sim import RealTimePacer, SimulatedRobot
from bt_planner.snapshot import MissionContext, TreeSnapshot, capture
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.mission import (
    ApprovalBroker,
    ApprovalDecision,
    ApprovalRequest,
    CommandPlanner,
    Mission,
    MissionStatus,
    planner_status_name,
)
from bt_planner.tree.mission.belief import apply_robot_state
from bt_planner.verification import Verifier

_SNAPSHOT_EVERY = 5
"""Ticks between tree snapshots (and belief refreshes) while a run executes."""

"""Mission states in the snapshot's (the ROS node's planner_status) vocabulary."""


@dataclass
class _Run:
    """One run: what it is for, how it stands, and the runner while it is active."""

    run_id: str
    command: str
    plan_id: str | None
    started_at: float
    client: str = "stdio"
    client_app: str | None = None
    approval: ApprovalPolicy | None = None
    approval_request: str | None = None
    journal_id: int | None = None
    status: MissionStatus | None = None
    outcomes: list[ActionOutcome] = field(default_factory=list)
    report: CommandReport | None = None
    failure: str | None = None
    cancel_reason: str | None = None
    runner: MissionRunner | None = None
    thread: threading.Thread | None = None
    ticks: int = 0
    done: threading.Event = field(default_factory=threading.Event)


class RobotSession:
    """The simulated robot behind the MCP tools. Thread-safe; see the module docstring.

    Args:
        settings: limits (``safety``), execution and ``mcp`` settings; nothing a client sends changes them.
        world: where the robot and the belief start.
        planner: what plans commands (``plan``, and ``execute`` of a command).
        custom_actions: the registry custom actions come from.
        gates: extra checks every execution must pass after the built-in ones.
        journal: journal every run there (source ``mcp``); the caller opens and closes it.
        approvals: the broker plans wait on for approval; share it with another front end (the
            viewer) so an operator can answer there. Default: a broker of the session's own.
        on_snapshot: called with each tree snapshot a run takes (e.g. the viewer's ``publish``).
    """

    tool_notes: Mapping[str, str] = {}
    """Nothing to add to the tools' descriptions: they describe the simulator."""

    def __init__(
        self,
        *,
        settings: Settings,
        world: World,
        planner: CommandPlanner,
        custom_actions: CustomActionRegistry | None = None,
        gates: Sequence[ExecutionGate] = (),
        journal: Journal | None = None,
        approvals: ApprovalBroker | None = None,
        on_snapshot: Callable[[TreeSnapshot], object] | None = None,
    ) -> None:
        self.settings = settings
        self.limits = settings.safety
        self.custom_actions = custom_actions if custom_actions is not None else CustomActionRegistry()
        self.gates = list(gates)
        self.journal = journal
        self.approvals = approvals if approvals is not None else ApprovalBroker()
        self.approvals.subscribe(self._on_approval)
        self._on_snapshot = on_snapshot
        self.robot = SimulatedRobot(world)
        self._planner = planner
        self._verifier = Verifier(self.limits, self.custom_actions)
        self._plans = PlanStore(settings.mcp.max_stored_plans)
        self._lock = threading.Lock()
        self._belief = world
        self._runs: dict[str, _Run] = {}
        self._run_ids = itertools.count(1)
        self._active: _Run | None = None
        self._estop = False
        self._snapshot: TreeSnapshot | None = None

    # ---- reading ----------------------------------------------------------------------------

    def state(self) -> RobotState:
        """The robot's state now."""
        return self.robot.state()

    def world(self) -> World:
        """The world belief now, with the robot's current state applied (the held object rides along)."""
        with self._lock:
            belief = self._belief
        return apply_robot_state(belief, self.robot.state())

    def describe_world(self) -> WorldView:
        return WorldView(world=self.world(), limits=self.limits)

    def robot_view(self) -> RobotView:
        with self._lock:
            active = self._active.run_id if self._active is not None else None
            estop = self._estop
        return RobotView(
            state=self.state(), estop_engaged=estop, active_run_id=active, sim_time_s=self.robot.now(),
            goals_sent=self.robot.goal_status().goal_id,
        )  # fmt: skip

    def snapshot(self) -> TreeSnapshot | None:
        """The latest snapshot of the running (or last run's) behaviour tree; None before any run."""
        with self._lock:
            return self._snapshot

    def _fingerprint(self) -> StateFingerprint:
        state = self.robot.state()
        with self._lock:
            belief = self._belief
        return StateFingerprint.of(state, apply_robot_state(belief, state))

    # ---- planning (nothing moves) -----------------------------------------------------------

    def plan(self, command: str) -> PlanAnswer:
        """Plan ``command`` for the robot as it is now; the plan is verified and stored, nothing moves."""
        state, world = self.state(), self.world()
        before = StateFingerprint.of(state, world)
        result = self._planner.plan(command, state, world)
        if result.plan is None:
            return PlanAnswer(verified=False, issues=result.issues, command=command, mode=result.mode,
                              llm_calls=result.llm_calls)  # fmt: skip
        return self._store(
            command=command, plan=result.plan, issues=result.issues, against=before, source="plan",
            mode=result.mode, llm_calls=result.llm_calls,
        )  # fmt: skip

    def verify_plan(self, plan: Plan, command: str = "") -> PlanAnswer:
        """Verify a plan a client wrote against the server's limits and the world now; store it with its verdict."""
        state, world = self.state(), self.world()
        issues = self._verifier.verify(plan, state, world)
        against = StateFingerprint.of(state, world)
        return self._store(command=command, plan=plan, issues=issues, against=against, source="verify_plan")

    def _store(
        self,
        *,
        command: str,
        plan: Plan,
        issues: list[PlanIssue],
        against: StateFingerprint,
        source: str,
        mode: str = "actions",
        llm_calls: int = 0,
    ) -> PlanAnswer:
        stored = StoredPlan(
            plan_id=self._plans.new_id(), command=command, plan=plan, verified=not has_errors(issues),
            issues=issues, verified_against=against, source=source,
        )  # fmt: skip
        self._plans.add(stored)
        return PlanAnswer.model_validate(
            {"plan_id": stored.plan_id, "verified": stored.verified, "plan": plan, "issues": issues,
             "command": command, "mode": mode, "llm_calls": llm_calls}
        )  # fmt: skip

    # ---- executing --------------------------------------------------------------------------

    def execute(
        self,
        *,
        plan_id: str | None = None,
        command: str | None = None,
        client: str = "stdio",
        client_app: str | None = None,
        approval: ApprovalPolicy | None = None,
    ) -> ExecuteAnswer:
        """Start a stored plan (``plan_id``) or a command, if :meth:`admit` allows it; returns the run id.

        ``client`` is who asks (the transport's identity), ``client_app`` the name the client gave
        itself (journalled, never trusted); ``approval`` is this run's own approval policy, added to
        ``execution.approval`` (it can add a gate, never remove one).

        Raises:
            ToolCallRefused: neither or both of ``plan_id`` and ``command``, or an unknown ``plan_id``.
        """
        if (plan_id is None) == (command is None):
            raise ToolCallRefused(
                "execute takes exactly one of plan_id (from plan or verify_plan) and command"
            )
        stored: StoredPlan | None = None
        if plan_id is not None:
            stored = self._plans.get(plan_id)
            if stored is None:
                raise ToolCallRefused(f"unknown plan_id {plan_id!r}: call plan or verify_plan first")
        request = ExecutionRequest(
            client=client,
            command=stored.command if stored is not None else (command or ""),
            plan_id=plan_id,
            plan=stored.plan if stored is not None else None,
        )
        decision = self.admit(request, stored)
        if not decision.allowed:
            return ExecuteAnswer(accepted=False, plan_id=plan_id, reason=decision.reason, rule=decision.rule,
                                 issues=decision.issues)  # fmt: skip
        planner: CommandPlanner
        if stored is not None:
            planner = GivenPlanPlanner(stored.plan, limits=self.limits, custom_actions=self.custom_actions)
        else:
            planner = self._planner
        with self._lock:
            active = self._active
            if self._estop or active is not None:  # changed while the gates were deciding
                busy = (
                    f"run {active.run_id} is active"
                    if active is not None
                    else "the emergency stop is engaged"
                )
                return ExecuteAnswer(accepted=False, plan_id=plan_id, reason=busy, rule="busy")
            run = _Run(run_id=f"run-{next(self._run_ids)}", command=request.command or "(given plan)",
                       plan_id=plan_id, started_at=self.robot.now(), client=client, client_app=client_app,
                       approval=approval)  # fmt: skip
            self._runs[run.run_id] = run
            self._active = run
            run.thread = threading.Thread(
                target=self._drive, args=(run, planner, stored is None), name=f"mcp-{run.run_id}", daemon=True
            )
        run.thread.start()
        return ExecuteAnswer(accepted=True, run_id=run.run_id, plan_id=plan_id)

    def admit(self, request: ExecutionRequest, stored: StoredPlan | None) -> GateDecision:
        """Every execution passes here: the built-in checks, then each gate in ``gates``; first refusal wins.

        This is the one place to hook a check that must pass before a run starts (an ``ExecutionGate``).
        The operator approval gate is not one: a plan is approved after it is planned and verified,
        inside the run's mission (``execution.approval``), so that it holds for commands too.
        """
        with self._lock:
            if self._estop:
                return GateDecision(allowed=False, rule="estop",
                                    reason="the emergency stop is engaged: call release first")  # fmt: skip
            if self._active is not None:
                return GateDecision(allowed=False, rule="busy",
                                    reason=f"run {self._active.run_id} is active: wait for it or cancel it")  # fmt: skip
        if stored is not None:
            if not stored.verified:
                errors = [issue for issue in stored.issues if issue.severity.value == "error"]
                summary = "; ".join(str(issue) for issue in errors)
                return GateDecision(allowed=False, rule="verification", issues=stored.issues,
                                    reason=f"plan {stored.plan_id} failed verification: {summary}")  # fmt: skip
            changes = stored.verified_against.changes(self._fingerprint())
            if changes:
                return GateDecision(
                    allowed=False, rule="stale",
                    reason=f"plan {stored.plan_id} is stale: since it was verified, {'; '.join(changes)};"
                    " verify or plan again",
                )  # fmt: skip
            issues = self._verifier.verify(stored.plan, self.state(), self.world())
            if has_errors(issues):
                return GateDecision(allowed=False, rule="verification", issues=issues,
                                    reason="the plan no longer verifies: " + "; ".join(map(str, issues)))  # fmt: skip
        for gate in self.gates:
            decision = gate.review(request)
            if not decision.allowed:
                return decision
        return ALLOW

    def _drive(self, run: _Run, planner: CommandPlanner, replans: bool) -> None:
        """The run's thread: a fresh mission on the robot, from the current belief, ticked to its end."""
        execution = self.settings.execution
        if not replans:
            execution = execution.model_copy(update={"max_replans": 0})
        speed = self.settings.mcp.sim_speed
        pacer = RealTimePacer(period_s=execution.tick_period_s, speed=speed) if speed > 0 else None
        try:
            with MissionRunner(planner=planner, robot=self.robot, world=self.world(), limits=self.limits,
                               settings=execution, custom_actions=self.custom_actions, journal=self.journal,
                               approvals=self.approvals) as runner:  # fmt: skip
                runner.mission.add_listener(lambda status: self._on_status(run, runner, status))
                with self._lock:
                    run.runner = runner
                    if self._estop:
                        runner.mission.estop(True)
                    if run.cancel_reason is not None:
                        runner.mission.cancel(run.cancel_reason)
                report = runner.run(
                    run.command, max_sim_time_s=self.settings.mcp.max_sim_time_s, pacer=pacer,
                    on_tick=lambda mission: self._on_tick(run, mission), source="mcp", approval=run.approval,
                )  # fmt: skip
                self._on_tick(run, runner.mission, force=True)
                belief = runner.mission.world_belief()
                with self._lock:
                    run.report, self._belief = report, belief
        except Exception as error:  # the run must end with the reason, and the server stay up
            with self._lock:
                run.failure = f"the run raised {type(error).__name__}: {error}"
        finally:
            with self._lock:
                run.runner = None
                if self._active is run:
                    self._active = None
            run.done.set()

    def _on_status(self, run: _Run, runner: MissionRunner, status: MissionStatus) -> None:
        """On the ticking thread, before the tick's journal events: the status, and who asked (journalled)."""
        with self._lock:
            run.status = status
            first = run.journal_id is None
            if first and runner.journalled is not None:
                run.journal_id = runner.journalled.journal_id(status.command_id)
            journal_id = run.journal_id
        if first and journal_id is not None and self.journal is not None:
            with contextlib.suppress(JournalUnavailable):  # a failed journal halts the mission itself
                self.journal.record(journal_id, "mcp_request", {"client": run.client, "client_app": run.client_app,
                                    "run_id": run.run_id, "plan_id": run.plan_id})  # fmt: skip

    def _on_approval(self, request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        """A request opened on the broker: it is the active run's (one run at a time)."""
        if decision is not None:
            return
        with self._lock:
            if self._active is not None:
                self._active.approval_request = request.id

    def _on_tick(self, run: _Run, mission: Mission, *, force: bool = False) -> None:
        """On the run's thread after each tick: live outcomes; every few ticks the belief and a snapshot."""
        run.ticks += 1
        compiled = mission.current_plan()
        outcomes = compiled.outcomes() if compiled is not None else []
        if not force and run.ticks % _SNAPSHOT_EVERY != 1:
            with self._lock:
                run.outcomes = outcomes
            return
        status = run.status or mission.status
        belief = mission.world_belief()
        running = [o.index for o in outcomes if o.status is ActionStatus.RUNNING]
        context = MissionContext(
            command=run.command,
            plan=status.plan.to_wire() if status.plan is not None else None,
            status=planner_status_name(status.state),
            details=status.reason,
            action_index=running[0] if running else None,
            attempt=max(status.attempt, 1),
        )
        snapshot = capture(mission.root, tick=run.ticks, timestamp=self.robot.now(), mission=context,
                           robot=self.robot.state(), world=belief)  # fmt: skip
        with self._lock:
            run.outcomes, self._belief, self._snapshot = outcomes, belief, snapshot
        if self._on_snapshot is not None:
            self._on_snapshot(snapshot)

    def run_status(self, run_id: str) -> RunStatus:
        """How run ``run_id`` stands.

        Raises:
            ToolCallRefused: no run has that id.
        """
        with self._lock:
            run = self._find(run_id)
            status, request_id, client = self._status_of(run), run.approval_request, run.client
        if request_id is None:
            return status
        return status.model_copy(update={"approval": self._approval_view(request_id, client)})

    def _find(self, run_id: str) -> _Run:
        """The run ``run_id`` (call with the lock held). Raises ``ToolCallRefused`` naming the known ones."""
        run = self._runs.get(run_id)
        if run is None:
            known = ", ".join(self._runs) or "none yet"
            raise ToolCallRefused(f"unknown run_id {run_id!r} (runs: {known})")
        return run

    def _approval_view(self, request_id: str, client: str) -> ApprovalView | None:
        """The approval ``request_id`` as it stands (call without the lock: the broker may decide a timeout)."""
        request = self.approvals.get(request_id)
        if request is None:
            return None
        decision = self.approvals.decision(request_id)
        who = self.settings.mcp.allow_approvals
        if who == "never":
            answer = ("an operator approves it in the viewer (bt-planner mcp --view PORT); approvals over MCP"
                      " are off (mcp.allow_approvals: never); reject(run_id, reason) is allowed")  # fmt: skip
        elif who == "other_clients":
            answer = f"approve(run_id) from an MCP client other than {client!r}, or reject(run_id, reason)"
        else:
            answer = "approve(run_id) or reject(run_id, reason)"
        return ApprovalView.model_validate(
            {"request_id": request_id, "pending": decision is None, "reasons": request.reasons,
             "seconds_left": round(self.approvals.seconds_left(request_id), 3),
             "approved": decision.approved if decision else None, "by": decision.by if decision else None,
             "via": decision.via if decision else None, "reason": decision.reason if decision else "",
             "answer_via": answer if decision is None else ""}
        )  # fmt: skip

    # ---- approving --------------------------------------------------------------------------

    def _pending_request(self, run_id: str) -> tuple[_Run, str]:
        with self._lock:
            run = self._find(run_id)
            request_id = run.approval_request
            state = self._status_of(run).state
        if request_id is None or self.approvals.decision(request_id) is not None:
            raise ToolCallRefused(f"run {run_id} is not waiting for approval (it is {state})")
        return run, request_id

    def approve(self, run_id: str, *, client: str = "stdio") -> ApprovalAnswer:
        """Approve run ``run_id``'s pending plan, if ``mcp.allow_approvals`` lets ``client`` do it.

        Raises:
            ToolCallRefused: approvals over MCP are off, ``client`` executed the run and only other
                clients may approve, the run is unknown, or it is not waiting for approval.
        """
        refuse_if_approvals_off(self.settings.mcp, elsewhere="in the viewer (bt-planner mcp --view PORT)")
        run, request_id = self._pending_request(run_id)
        refuse_self_approval(
            self.settings.mcp, client=client, run_client=run.client, run_id=run_id, who_else="the viewer"
        )
        try:
            self.approvals.approve(request_id, by=client, via="mcp")
        except ApprovalError as error:
            raise ToolCallRefused(str(error)) from error
        return ApprovalAnswer(run_id=run_id, request_id=request_id, approved=True, by=client,
                              message=f"run {run_id}'s plan is approved; it executes now")  # fmt: skip

    def reject(self, run_id: str, *, reason: str, client: str = "stdio") -> ApprovalAnswer:
        """Reject run ``run_id``'s pending plan with ``reason`` (any client may: it moves nothing).

        Raises:
            ToolCallRefused: the run is unknown, or it is not waiting for approval.
        """
        _, request_id = self._pending_request(run_id)
        try:
            self.approvals.reject(request_id, by=client, via="mcp", reason=reason)
        except ApprovalError as error:
            raise ToolCallRefused(str(error)) from error
        return ApprovalAnswer(run_id=run_id, request_id=request_id, approved=False, by=client,
                              message=f"run {run_id}'s plan is rejected; nothing moved")  # fmt: skip

    def _status_of(self, run: _Run) -> RunStatus:
        status = run.report.status if run.report is not None else run.status
        outcomes = run.outcomes
        if run.report is not None and run.report.last is not None:
            outcomes = run.report.last.outcomes
        running = [o.index for o in outcomes if o.status is ActionStatus.RUNNING]
        if run.failure is not None:
            state, reason = "FAILED", run.failure
        elif status is None:
            state, reason = ("PENDING" if not run.done.is_set() else "FAILED"), ""
        else:
            state, reason = status.state.name, status.reason
        sim_time = run.report.sim_time_s if run.report is not None else self.robot.now() - run.started_at
        return RunStatus.model_validate(
            {"run_id": run.run_id, "state": state, "command": run.command, "plan_id": run.plan_id,
             "reason": reason, "attempt": status.attempt if status else 0,
             "plan": status.plan if status else None, "issues": status.issues if status else [],
             "outcomes": outcomes, "action_index": running[0] if running else None, "sim_time_s": sim_time,
             "terminal": run.done.is_set()}
        )  # fmt: skip

    # ---- stopping ---------------------------------------------------------------------------

    def cancel(self, run_id: str | None = None) -> StopAnswer:
        """Cancel the active run (``run_id``: only if it is that one). The robot's goal is cancelled.

        Raises:
            ToolCallRefused: ``run_id`` names no run.
        """
        with self._lock:
            if run_id is not None and run_id not in self._runs:
                raise ToolCallRefused(f"unknown run_id {run_id!r}")
            active, estop = self._active, self._estop
            if active is None or (run_id is not None and active.run_id != run_id):
                target = self._runs[run_id] if run_id is not None else None
                ended = f"run {run_id} has already ended" if target is not None else "no run is active"
                return StopAnswer(estop_engaged=estop, run_id=None, message=f"{ended}; nothing to cancel")
            active.cancel_reason = "cancelled by the MCP client"
            if active.runner is not None:  # also wakes a run waiting for an approval
                active.runner.mission.cancel(active.cancel_reason)
        return StopAnswer(
            estop_engaged=estop, run_id=active.run_id, message=f"run {active.run_id} is being cancelled"
        )

    def estop(self) -> StopAnswer:
        """Engage the e-stop: the robot's goal is cancelled at once, the active run ends, execute is refused."""
        with self._lock:
            self._estop = True
            active = self._active
            if active is not None and active.runner is not None:
                active.runner.mission.estop(True)
        self.robot.cancel()
        stopped = active.run_id if active is not None else None
        message = "emergency stop engaged" + (f"; run {stopped} is stopped" if stopped else "")
        return StopAnswer(
            estop_engaged=True, run_id=stopped, message=message + "; call release to move again"
        )

    def release(self) -> StopAnswer:
        """Release the e-stop; the robot stays still until the next execute."""
        with self._lock:
            was, self._estop = self._estop, False
            active = self._active
            if active is not None and active.runner is not None:
                active.runner.mission.estop(False)
        message = "emergency stop released" if was else "the emergency stop was not engaged"
        return StopAnswer(estop_engaged=False, message=message)

    def close(self, timeout_s: float = 5.0) -> None:
        """Cancel the active run and wait (bounded) for its thread to end."""
        with self._lock:
            active = self._active
        if active is None:
            return
        self.cancel(active.run_id)
        active.done.wait(timeout_s)
