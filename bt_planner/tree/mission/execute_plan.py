"""``ExecutePlan``: compiles the verified plan, inserts it as its child subtree and ticks it."""

from collections.abc import Iterator

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.config import ApprovalPolicy
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.robot.goal_status import Detection
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree import keys
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.compiler import CompiledPlan, compile_plan
from bt_planner.tree.mission.action_watch import ActionWatcher
from bt_planner.tree.mission.approval_policy import approval_reasons
from bt_planner.tree.mission.belief import apply_detections, apply_executed
from bt_planner.tree.mission.mission_events import MissionEventKind
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState
from bt_planner.tree.mission.reporter import MissionReporter
from bt_planner.tree.timeout_policy import TimeoutPolicy

_FINISHED = frozenset({ActionStatus.SUCCEEDED, ActionStatus.FAILED, ActionStatus.CANCELLED})


class ExecutePlan(PortsMixin, py_trees.composites.Composite, register=False):
    """A composite whose one child is the compiled plan, replaced for every plan it executes.

    Blackboard: reads ``/mission/plan``, ``/mission/active`` and ``/detections``; reads and writes
    ``/mission/feedback`` (the failure context a re-plan needs; also tells which attempt this is)
    and ``/world/belief`` (what the executed actions changed).

    With an ``approval`` policy it also reads ``/mission/approved`` and refuses (FAILED, nothing
    sent to the robot) a plan that needs approval but is not the approved one, so a tree without
    ``AwaitApproval`` cannot bypass the gate. Observers get an ``executing`` event (plan, attempt,
    robot state, world belief) and an ``action`` event for every action outcome change.

    Lifecycle: ``initialise`` compiles the plan, swaps it in as the only child (so tree views show
    the live plan) and reports EXECUTING. Each tick ticks the plan, then folds the actions that
    finished in that tick into ``/world/belief`` in plan order (a succeeded detect's
    ``/detections``; the grasp and place effects of succeeded actions), so the belief is current
    after success, failure or pre-emption alike. ``update`` is RUNNING while the plan runs, SUCCESS
    after reporting the command SUCCEEDED, FAILURE after writing ``/mission/feedback`` (the
    ``Replan`` decorator above decides: re-plan or FAILED).
    ``stop(INVALID)`` (pre-emption, e-stop) stops the plan, whose leaves cancel their goals.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        children: list[py_trees.behaviour.Behaviour] | None = None,
        *,
        robot: RobotInterface,
        world: World,
        limits: SafetyLimits,
        reporter: MissionReporter,
        custom_actions: CustomActionRegistry | None = None,
        timeouts: TimeoutPolicy | None = None,
        approval: ApprovalPolicy | None = None,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, children=children or [], behaviour_class_name=behaviour_class_name)
        self.approval = approval
        self._watcher: ActionWatcher | None = None
        self.robot = robot
        self.world = world
        self.limits = limits
        self.reporter = reporter
        self.custom_actions = custom_actions
        self.timeouts = timeouts
        self.compiled: CompiledPlan | None = None
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.MISSION_PLAN, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)
        self.blackboard.register_key(key=keys.MISSION_FEEDBACK, access=Access.WRITE)
        self.blackboard.register_key(key=keys.DETECTIONS, access=Access.READ)
        self.blackboard.register_key(key=keys.WORLD_BELIEF, access=Access.WRITE)
        if approval is not None:
            self.blackboard.register_key(key=keys.MISSION_APPROVED, access=Access.WRITE)
        self._folded = 0
        self._detections: list[Detection] | None = None
        self._request: CommandRequest | None = None
        self._attempt = 1
        self._error: str | None = None

    def initialise(self) -> None:
        self._request = self.blackboard.get(keys.MISSION_ACTIVE)
        plan = self.blackboard.get(keys.MISSION_PLAN)
        previous: ExecutionFeedback | None = self.blackboard.get(keys.MISSION_FEEDBACK)
        self._attempt = previous.attempt + 1 if previous is not None else 1
        if self.compiled is not None:
            self.compiled.release()
        self.remove_all_children()
        self.compiled = None
        self._watcher = None
        self._error = None
        self._folded = 0
        self._detections = self.blackboard.get(keys.DETECTIONS)
        if self._request is None or plan is None:
            self._error = "no verified plan to execute"
            return
        self._error = self._unapproved(self._request, plan)
        if self._error is not None:
            return
        try:
            self.compiled = compile_plan(
                plan,
                robot=self.robot,
                world=self.world,
                limits=self.limits,
                custom_actions=self.custom_actions,
                timeouts=self.timeouts,
                name=f"attempt {self._attempt}",
            )
        except (ValueError, TypeError) as error:
            self._error = f"the plan cannot be executed: {error}"
            return
        self.add_child(self.compiled.root)
        if self.reporter.recording:
            self._watcher = ActionWatcher(self.compiled)
            self.reporter.event(
                self._request.id,
                MissionEventKind.EXECUTING,
                plan=plan,
                attempt=self._attempt,
                robot=self.robot.state(),
                world=self.blackboard.get(keys.WORLD_BELIEF),
            )
        self.reporter.report(
            self._request,
            MissionState.EXECUTING,
            plan=plan,
            attempt=self._attempt,
            reason="",
            outcomes=self.compiled.outcomes(),
            failed_action_index=None,
        )

    def tick(self) -> Iterator[py_trees.behaviour.Behaviour]:
        if self.status != Status.RUNNING:
            self.initialise()
        if self.compiled is not None:
            self.current_child = self.compiled.root
            yield from self.compiled.root.tick()
            self._update_belief(self.compiled)
            if self._watcher is not None:
                self._report_actions(self._watcher.changes())
        new_status = self.update()
        if new_status != Status.RUNNING:
            self.stop(new_status)
        self.status = new_status
        yield self

    def update(self) -> Status:
        request, compiled = self._request, self.compiled
        if request is None:
            self.feedback_message = "no active command"
            return Status.FAILURE
        if compiled is None:
            self.reporter.report(request, MissionState.FAILED, reason=self._error or "nothing to execute")
            self.blackboard.set(keys.MISSION_ACTIVE, None)
            self.feedback_message = self._error or "nothing to execute"
            return Status.FAILURE
        status = compiled.root.status
        if status == Status.RUNNING:
            self.feedback_message = f"{compiled.progress():.0%} done"
            return Status.RUNNING
        if self._watcher is not None:
            self._report_actions(self._watcher.sweep())
        outcomes = compiled.outcomes()
        if status == Status.SUCCESS:
            self.reporter.report(request, MissionState.SUCCEEDED, outcomes=outcomes, reason="")
            self.blackboard.set(keys.MISSION_ACTIVE, None)
            self.feedback_message = "plan succeeded"
            return Status.SUCCESS
        failed = compiled.failed_index()
        reason = outcomes[failed].message if failed is not None else "the plan failed"
        assert compiled.plan is not None
        feedback = ExecutionFeedback(
            previous_plan=compiled.plan,
            failed_action_index=failed if failed is not None else len(outcomes),
            reason=reason,
            attempt=self._attempt,
        )
        self.blackboard.set(keys.MISSION_FEEDBACK, feedback)
        self.reporter.note(request, outcomes=outcomes, failed_action_index=failed)
        self.feedback_message = f"action {failed} failed: {reason}"
        return Status.FAILURE

    def _unapproved(self, request: CommandRequest, plan: Plan) -> str | None:
        """Why ``plan`` may not run for lack of approval; None when it may."""
        if self.approval is None:
            return None
        try:
            approved = self.blackboard.get(keys.MISSION_APPROVED)
        except KeyError:
            approved = None
        if approved is plan:
            self.blackboard.set(keys.MISSION_APPROVED, None)  # one approval, one execution
            return None
        status = self.reporter.status_of(request.id)
        issues = list(status.issues) if status is not None else []
        reasons = approval_reasons(self.approval, request.approval, plan, issues)
        if not reasons:
            return None
        return (
            f"the plan needs approval ({'; '.join(reasons)}) but was not approved; "
            "nothing was sent to the robot (does the mission tree have AwaitApproval before ExecutePlan?)"
        )

    def _report_actions(self, outcomes: list[ActionOutcome]) -> None:
        if self._request is None:
            return
        for outcome in outcomes:
            self.reporter.event(
                self._request.id, MissionEventKind.ACTION, outcome=outcome, attempt=self._attempt
            )

    def _update_belief(self, compiled: CompiledPlan) -> None:
        """Fold the actions finished since the last call into ``/world/belief``, in plan order."""
        plan = compiled.plan
        if plan is None:
            return
        outcomes = compiled.outcomes()
        detections: list[Detection] = self.blackboard.get(keys.DETECTIONS)
        belief: World = self.blackboard.get(keys.WORLD_BELIEF)
        before = belief
        while self._folded < len(outcomes) and outcomes[self._folded].status in _FINISHED:
            outcome = outcomes[self._folded]
            belief = apply_executed(belief, plan, [outcome])
            if outcome.succeeded and outcome.action_type is ActionType.DETECT:
                belief = self._apply_new_detections(belief, detections)
            self._folded += 1
        belief = self._apply_new_detections(belief, detections)  # e.g. from a custom action's body
        if belief is not before:
            self.blackboard.set(keys.WORLD_BELIEF, belief)

    def _apply_new_detections(self, belief: World, detections: list[Detection]) -> World:
        """Apply ``detections`` once: only when a detect wrote a new list since the last call."""
        if detections is self._detections:
            return belief
        self._detections = detections
        return apply_detections(belief, detections)

    def xml_attributes(self) -> dict[str, str]:
        return {}
