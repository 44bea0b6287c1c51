"""``MissionRunner``: tick the mission tree against the simulated humanoid until a command ends.

This is the orchestration path off ROS. ``bt-planner run`` and the evaluation submit their command
to the same :class:`bt_planner.tree.mission.Mission` the ROS planner node ticks: plan on the
mission's worker thread, verify against the world belief, execute, re-plan with the failure
context (from the belief, not from the simulator's ground truth) up to ``max_replans`` times.
The runner only ticks the tree and steps the simulator's clock.

Time: after each tick the simulator is stepped by ``settings.tick_period_s``, except while the
command is being planned. Then the runner waits for the planner call to return instead, and
simulated time stands still: planning takes no simulated time, so a run ends the same however
slow the planner is. No clock is read unless a :class:`bt_planner.sim.RealTimePacer` is given.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from py_trees.common import Status

from bt_planner.config import ApprovalPolicy, ExecutionSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.errors import JournalUnavailable
from bt_planner.execution.command_report import CommandReport
from bt_planner.execution.report import ExecutionReport
from bt_planner.journal import CommandOutcome, Journal, MissionJournal
from bt_planner.planning.result import PlanResult
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.sim.realtime import RealTimePacer
from bt_planner.sim.simulated_robot import SimulatedRobot
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.mission import ApprovalBroker, CommandPlanner, Mission, MissionState, MissionStatus
from bt_planner.tree.timeout_policy import TimeoutPolicy

TickListener = Callable[[Mission], None]
"""Called after every tick with the mission (on the ticking thread), e.g. to draw or publish the tree."""

_PLANNING = frozenset({MissionState.PLANNING, MissionState.REPLANNING})


class _RecordingPlanner:
    """Passes ``plan`` calls to ``inner`` and keeps every result (calls come from the worker thread)."""

    def __init__(self, inner: CommandPlanner) -> None:
        self.inner = inner
        self.results: list[PlanResult] = []

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        result = self.inner.plan(command, state, world, feedback=feedback)
        self.results.append(result)  # list.append is atomic; read only after the call has returned
        return result


class _RecordingExpander(_RecordingPlanner):
    """A recording planner that also offers the inner planner's ``expand`` (symbolic re-planning)."""

    def __init__(self, inner: CommandPlanner, expand: Callable[..., PlanResult]) -> None:
        super().__init__(inner)
        self._expand = expand

    def expand(self, *args: Any, **kwargs: Any) -> PlanResult:
        return self._expand(*args, **kwargs)


def _recording(planner: CommandPlanner) -> _RecordingPlanner:
    """Wrap ``planner`` so its answers are kept, hiding none of what the mission looks for on it."""
    expand = getattr(planner, "expand", None)
    return _RecordingExpander(planner, expand) if callable(expand) else _RecordingPlanner(planner)


@dataclass
class _Attempt:
    """A plan the mission is executing: its tree, when it started, how many ticks it has had."""

    compiled: CompiledPlan
    started_at: float
    ticks: int = 0


@dataclass
class _Attempts:
    """The executions of one command so far: those that ended, and the one running."""

    seen: CompiledPlan | None
    """The plan tree last seen executing (a new tree means a new attempt)."""
    events_read: int
    """How many of the runner's status events have been looked at."""
    running: _Attempt | None = None
    ended: list[ExecutionReport] = field(default_factory=list)


class MissionRunner:
    """A ``Mission`` on a ``SimulatedRobot``, taking one command at a time to its end.

    ``mission`` is public: add listeners (``add_listener``) or tree visitors before ``run``. The
    belief carries over from one ``run`` to the next, as on a robot. Close the runner (or use it as
    a context manager) to stop the planning thread and release the tree's blackboard clients.
    py_trees' blackboard is process-global: have one runner (or ``Mission``) open at a time.

    Args:
        planner: what plans each command (an ``LLMActionPlanner``, a ``GivenPlanPlanner``, ...);
            called on the mission's worker thread.
        robot: the simulated robot; only this runner steps its clock.
        world: where the mission's belief starts, normally the world ``robot`` was built from.
        limits: the safety limits plans are verified against and guarded by.
        settings: ``max_replans`` and ``tick_period_s`` (simulated seconds per tick).
        custom_actions: the registry custom actions come from.
        timeouts: per-action timeouts (default: the tree's ``TimeoutPolicy``).
        tree_file: the mission tree XML (default: ``trees/mission.xml`` as found by ``find_tree``).
        journal: journal every command and event there (``MissionJournal``); a journal that fails
            halts the mission, and the command ends with the reason.
        approvals: the broker plans wait on for approval (``settings.approval``); default: the
            mission's own (``runner.mission.approvals``).
    """

    def __init__(
        self,
        *,
        planner: CommandPlanner,
        robot: SimulatedRobot,
        world: World,
        limits: SafetyLimits,
        settings: ExecutionSettings | None = None,
        custom_actions: CustomActionRegistry | None = None,
        timeouts: TimeoutPolicy | None = None,
        tree_file: str | Path | None = None,
        journal: Journal | None = None,
        approvals: ApprovalBroker | None = None,
    ) -> None:
        self.robot = robot
        self.settings = settings if settings is not None else ExecutionSettings()
        self._planner = _recording(planner)
        self._events: list[MissionStatus] = []
        self.mission = Mission(
            planner=self._planner,
            robot=robot,
            world=world,
            limits=limits,
            settings=self.settings,
            custom_actions=custom_actions,
            timeouts=timeouts,
            tree_file=tree_file,
            on_status=self._events.append,
            approvals=approvals,
        )
        self.journal = journal
        self.journalled = MissionJournal(journal).attach(self.mission) if journal is not None else None
        self._closed = False

    def __enter__(self) -> MissionRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(
        self,
        command: str,
        *,
        max_sim_time_s: float = 600.0,
        pacer: RealTimePacer | None = None,
        on_tick: TickListener | None = None,
        source: str = "api",
        approval: ApprovalPolicy | None = None,
    ) -> CommandReport:
        """Submit ``command``, tick until it ends, and report what happened.

        Each round ticks the mission once and calls ``on_tick``; then, unless the command has
        ended, it waits for the planner (while planning) or paces (``pacer``) and steps the robot.
        After ``max_sim_time_s`` simulated seconds the runner cancels the command
        (``Mission.cancel``: the running action and the robot's goal are cancelled) and reports it
        FAILED. If a tick raises, the command is reported FAILED with the error and the runner
        closes: a tree that raised is not ticked again.

        While a plan waits for approval the simulator is not stepped either: the runner waits for
        an answer on the broker (from another thread: a prompt, the viewer) or the timeout.
        ``source`` names the entry point in the journal; ``approval`` is this command's own
        approval policy, added to the configured one.

        Raises:
            ValueError: ``max_sim_time_s`` is not positive.
            RuntimeError: the runner is closed.
        """
        if max_sim_time_s <= 0:
            raise ValueError(f"max_sim_time_s must be positive, got {max_sim_time_s}")
        if self._closed:
            raise RuntimeError("this MissionRunner is closed")
        mission, robot = self.mission, self.robot
        first_event, first_result = len(self._events), len(self._planner.results)
        started = robot.now()
        command_id = mission.submit(command, source=source, approval=approval)
        attempts = _Attempts(seen=mission.current_plan(), events_read=first_event)
        stopped: str | None = None
        broken = False
        while True:
            try:
                mission.tick()
            except Exception as error:  # the command must still end, with the reason
                stopped, broken = f"the executor raised {type(error).__name__}: {error}", True
                self._follow(attempts, search=True)  # the plan that raised, if it had started
                break
            self._follow(attempts)
            if on_tick is not None:
                on_tick(mission)
            status = mission.status_of(command_id)
            if status is not None and status.terminal:
                break
            if robot.now() - started >= max_sim_time_s:
                stopped = f"stopped after {max_sim_time_s:g} s of simulated time (max_sim_time_s)"
                mission.cancel(stopped)
                mission.tick()
                break
            if status is not None and status.state in _PLANNING:
                mission.wait_for_planning()
                continue
            if status is not None and status.state is MissionState.AWAITING_APPROVAL:
                self._wait_for_answer(command_id)
                continue
            if pacer is not None:
                pacer.wait()
            robot.step(self.settings.tick_period_s)
        final = mission.status_of(command_id) or MissionStatus(command_id=command_id, command=command)
        if stopped is not None:
            final = final.model_copy(
                update={"state": MissionState.FAILED, "reason": stopped, "time_s": robot.now()}
            )
        if attempts.running is not None:
            attempts.ended.append(self._report(attempts.running, final.reason or None))
        journal_id = self.journalled.journal_id(command_id) if self.journalled is not None else None
        if broken and self.journal is not None and journal_id is not None:
            with contextlib.suppress(JournalUnavailable):
                self.journal.end_command(journal_id, CommandOutcome.FAILED, reason=final.reason)
        if broken:
            self.close()
        return CommandReport(
            journal_id=journal_id,
            command=command,
            status=final,
            attempts=attempts.ended,
            plan_results=self._planner.results[first_result:],
            events=self._events[first_event:],
            sim_time_s=robot.now() - started,
        )

    def _wait_for_answer(self, command_id: int) -> None:
        """Block until the command's pending approval is answered or times out (wall clock)."""
        broker = self.mission.approvals
        seen = broker.version  # read before the check: a cancel after it bumps the version
        if self.mission.stop_requested:
            return
        for request in broker.pending():
            if request.command_id == command_id:
                broker.wait(seen=seen, timeout_s=broker.seconds_left(request.id) + 0.001)
                return

    def _follow(self, attempts: _Attempts, *, search: bool = False) -> None:
        """After a tick: note a plan that started executing, count its tick, report it if it ended.

        A plan starts executing in the tick that reports EXECUTING, so the tree is searched for
        the plan only then (not on every tick), or when ``search`` says so (a tick that raised
        delivers no status changes).
        """
        fresh = self._events[attempts.events_read :]
        attempts.events_read += len(fresh)
        if search or any(event.state is MissionState.EXECUTING for event in fresh):
            compiled = self.mission.current_plan()
            if compiled is not None and compiled is not attempts.seen:
                if attempts.running is not None:
                    attempts.ended.append(self._report(attempts.running, "replaced by a new plan"))
                started = _Attempt(compiled=compiled, started_at=self.robot.now())
                attempts.seen, attempts.running = compiled, started
        running = attempts.running
        if running is not None:
            running.ticks += 1
            if running.compiled.root.status in (Status.SUCCESS, Status.FAILURE):
                attempts.ended.append(self._report(running, None))
                attempts.running = None

    def _report(self, attempt: _Attempt, reason: str | None) -> ExecutionReport:
        """``attempt`` as it stands now; ``reason`` explains a plan that was stopped, not failed."""
        compiled, robot = attempt.compiled, self.robot
        assert compiled.plan is not None  # ExecutePlan compiles every attempt from a plan
        success = compiled.root.status == Status.SUCCESS
        failed = compiled.failed_index()
        failure: str | None = None
        if not success:
            leaf_reason = compiled.leaves[failed].outcome.message if failed is not None else None
            failure = leaf_reason or reason or "the plan did not finish"
        return ExecutionReport(
            success=success,
            failure=failure,
            plan=compiled.plan,
            outcomes=compiled.outcomes(),
            failed_action_index=failed,
            final_state=robot.state(),
            final_world=robot.world_state(),
            spoken=list(robot.spoken),
            sim_time_s=robot.now() - attempt.started_at,
            ticks=attempt.ticks,
        )

    def close(self) -> None:
        """Stop the mission (cancel the robot's goal, end the planning thread) and release its tree."""
        if self._closed:
            return
        self._closed = True
        self.mission.shutdown()
        CompiledPlan.from_root(self.mission.root).release()
