"""``PlanCommand``: plans the active command on a worker thread (ticks go on), then verifies the plan.

After a failed execution of a goal-mode plan it first re-plans without the model: the goals not yet
met are expanded again by the symbolic planner from the belief (a few milliseconds, on the tick).
Only when that finds no safe plan, or the same goal failed again after a symbolic re-plan, is the
model asked again with the failure context.
"""

import concurrent.futures
from typing import Protocol, runtime_checkable

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.core.issues import PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.task_goals import GoalList
from bt_planner.tree import keys
from bt_planner.tree.mission.belief import apply_robot_state
from bt_planner.tree.mission.mission_events import MissionEventKind
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState
from bt_planner.tree.mission.reporter import MissionReporter
from bt_planner.tree.mission.worker import PlanWorker
from bt_planner.verification import Verifier


class CommandPlanner(Protocol):
    """Anything that plans like ``LLMActionPlanner.plan`` (called on a worker thread)."""

    def plan(
        self,
        command: str,
        state: RobotState | None = ...,
        world: World | None = ...,
        *,
        feedback: ExecutionFeedback | None = ...,
    ) -> PlanResult: ...


@runtime_checkable
class PlanSubmitter(Protocol):
    """A planner that starts a cancellable call itself, like ``LLMActionPlanner.submit``."""

    def submit(
        self,
        command: str,
        state: RobotState | None = ...,
        world: World | None = ...,
        *,
        feedback: ExecutionFeedback | None = ...,
    ) -> concurrent.futures.Future[PlanResult]: ...


@runtime_checkable
class GoalExpander(Protocol):
    """A planner that can also plan from goals alone, like ``LLMActionPlanner.expand`` (no model call)."""

    def expand(
        self,
        goals: GoalList,
        state: RobotState | None = ...,
        world: World | None = ...,
        *,
        command: str = ...,
        seen: frozenset[str] = ...,
    ) -> PlanResult: ...


def _errors(issues: list[PlanIssue]) -> list[PlanIssue]:
    return [issue for issue in issues if issue.severity is Severity.ERROR]


class PlanCommand(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """Asks the planner for a plan for the active command and verifies it against the live state.

    Plans and verifies against the world belief, not the world file: where objects were last seen
    or put, with the held object travelling with the robot (``bt_planner.tree.mission.belief``).

    Blackboard: reads ``/mission/active``, ``/mission/feedback`` (set after a failed execution: the
    context for re-planning) and ``/robot/state``; reads and writes ``/world/belief`` (applies the
    robot state to it); writes ``/mission/plan``; clears ``/mission/active`` when it gives up.

    Lifecycle: ``initialise`` reports PLANNING (first attempt), updates ``/world/belief`` with the
    robot state and starts the planner call (with that belief): with the planner's own ``submit``
    when it has one (``LLMActionPlanner``), else on the worker thread — except on a
    re-plan of a goal-mode plan, where it first expands the goals not yet met from the belief
    with the planner's ``expand`` (no model call; see the module docs). ``update``
    is RUNNING until the call returns, then SUCCESS with the plan (verified against the same
    belief) on the blackboard, or FAILURE after reporting the command REJECTED (first attempt) or
    FAILED (a re-plan found no safe plan) with the reasons. ``terminate(INVALID)`` (pre-emption,
    e-stop) cancels the call: a ``submit`` call is really cancelled (its model request aborted),
    so the next command plans at once; a call already running on the worker thread finishes there
    and is ignored.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        *,
        planner: CommandPlanner,
        world: World,
        limits: SafetyLimits,
        worker: PlanWorker,
        reporter: MissionReporter,
        custom_actions: CustomActionRegistry | None = None,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.planner = planner
        self.world = world
        self.worker = worker
        self.reporter = reporter
        self.verifier = Verifier(limits, custom_actions)
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.ROBOT_STATE, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_FEEDBACK, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)
        self.blackboard.register_key(key=keys.MISSION_PLAN, access=Access.WRITE)
        self.blackboard.register_key(key=keys.WORLD_BELIEF, access=Access.WRITE)
        self._future: concurrent.futures.Future[PlanResult] | None = None
        self._request: CommandRequest | None = None
        self._feedback: ExecutionFeedback | None = None
        self._state: RobotState | None = None
        self._belief: World = world
        self._symbolic: PlanResult | None = None
        self._goals: GoalList | None = None
        self._action_goals: tuple[int, ...] = ()
        self._plan_was_symbolic_from: int | None = None

    def initialise(self) -> None:
        self._request = self.blackboard.get(keys.MISSION_ACTIVE)
        self._feedback = self.blackboard.get(keys.MISSION_FEEDBACK)
        self._state = self.blackboard.get(keys.ROBOT_STATE)
        self._future = None
        if self._request is None:
            return
        believed: World = self.blackboard.get(keys.WORLD_BELIEF)
        self._belief = apply_robot_state(believed, self._state) if self._state is not None else believed
        self.blackboard.set(keys.WORLD_BELIEF, self._belief)
        self._symbolic = None
        if self._feedback is None:
            self._goals, self._action_goals, self._plan_was_symbolic_from = None, (), None
            self.reporter.report(self._request, MissionState.PLANNING, attempt=1, reason="")
        else:
            self._symbolic = self._replan_symbolically(self._feedback)
            if self._symbolic is not None:
                return
        command, state, world, feedback = self._request.command, self._state, self._belief, self._feedback
        if isinstance(self.planner, PlanSubmitter):  # cancellable: a pre-empted call really stops
            self._future = self.worker.track(self.planner.submit(command, state, world, feedback=feedback))
        else:
            self._future = self.worker.submit(
                lambda: self.planner.plan(command, state, world, feedback=feedback)
            )

    def _replan_symbolically(self, feedback: ExecutionFeedback) -> PlanResult | None:
        """The goals from the failed one on, expanded from the belief; None when the model must be asked."""
        goals, action_goals = self._goals, self._action_goals
        index = feedback.failed_action_index
        if goals is None or not isinstance(self.planner, GoalExpander) or not 0 <= index < len(action_goals):
            return None
        failed_goal = action_goals[index]
        if self._plan_was_symbolic_from == failed_goal:
            return None  # the symbolic re-plan of this goal failed too: ask the model
        pending = GoalList(goals=goals.goals[failed_goal:])
        assert self._request is not None
        result = self.planner.expand(pending, self._state, self._belief, command=self._request.command)
        if not result.success:
            return None
        self._plan_was_symbolic_from = failed_goal
        return result.model_copy(
            update={"goals": goals, "action_goals": tuple(failed_goal + i for i in result.action_goals)}
        )

    def update(self) -> Status:
        request, future = self._request, self._future
        if request is not None and self._symbolic is not None:
            self.reporter.event(
                request.id, MissionEventKind.PLAN_ANSWERED, result=self._symbolic, symbolic=True
            )
            return self._accept(request, self._symbolic)
        if request is None or future is None:
            self.feedback_message = "no active command"
            return Status.FAILURE
        if not future.done():
            self.feedback_message = "waiting for the planner"
            return Status.RUNNING
        try:
            result = future.result()
        except Exception as error:  # a planner-like object may raise; the command must still end
            return self._give_up(request, f"the planner raised {type(error).__name__}: {error}", [])
        if self._feedback is not None:
            self._plan_was_symbolic_from = None  # the model re-planned
        self.reporter.event(request.id, MissionEventKind.PLAN_ANSWERED, result=result, symbolic=False)
        return self._accept(request, result)

    def _accept(self, request: CommandRequest, result: PlanResult) -> Status:
        """Verify ``result``'s plan against the live state; SUCCESS with it on the blackboard, or give up."""
        if not result.success or result.plan is None:
            errors = _errors(result.issues)
            reason = "; ".join(str(issue) for issue in errors) or "the planner returned no plan"
            return self._give_up(request, reason, result.issues)
        state = self._state if self._state is not None else self._belief.robot
        issues = self.verifier.verify(result.plan, state, self._belief)
        self.reporter.event(request.id, MissionEventKind.VERIFIED, issues=issues)
        if _errors(issues):
            reason = "; ".join(str(issue) for issue in _errors(issues))
            return self._give_up(request, f"verification failed: {reason}", issues)
        self.blackboard.set(keys.MISSION_PLAN, result.plan)
        self.reporter.note(request, plan=result.plan, issues=issues)
        self._goals, self._action_goals = result.goals, result.action_goals
        how = " (symbolic re-plan, no model call)" if result is self._symbolic else ""
        self.feedback_message = f"plan with {len(result.plan.actions)} action(s){how}"
        return Status.SUCCESS

    def _give_up(self, request: CommandRequest, reason: str, issues: list[PlanIssue]) -> Status:
        if self._feedback is None:
            self.reporter.report(request, MissionState.REJECTED, reason=reason, issues=issues)
        else:
            self.reporter.report(
                request,
                MissionState.FAILED,
                reason=f"re-planning after '{self._feedback.reason}' found no safe plan: {reason}",
                issues=issues,
            )
        self.blackboard.set(keys.MISSION_ACTIVE, None)
        self.feedback_message = reason
        return Status.FAILURE

    def terminate(self, new_status: Status) -> None:
        if new_status == Status.INVALID and self._future is not None:
            self._future.cancel()
        self._future = None

    def xml_attributes(self) -> dict[str, str]:
        return {}
