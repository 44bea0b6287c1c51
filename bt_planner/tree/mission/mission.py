"""``Mission``: the root behaviour tree that turns submitted commands into executed plans.

It loads ``trees/mission.xml`` (see ``bt_planner.tree.tree_files``), binds its nodes to the
planner, robot and world, and is ticked by its owner (the ROS node's timer, a test, a script).
Commands and e-stop requests may come from any thread; they are applied at the next tick, except
that ``estop(True)`` also cancels the robot's goal at once.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import py_trees

from bt_planner.config import ApprovalPolicy, ExecutionSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.errors import BtPlannerError
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree import keys
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.mission.approval_broker import ApprovalBroker
from bt_planner.tree.mission.await_approval import AwaitApproval
from bt_planner.tree.mission.belief import apply_robot_state
from bt_planner.tree.mission.estop_halt import EStopHalt
from bt_planner.tree.mission.execute_plan import ExecutePlan
from bt_planner.tree.mission.mission_events import MissionEventKind, MissionObserver
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState, MissionStatus
from bt_planner.tree.mission.preempt_command import PreemptCommand
from bt_planner.tree.mission.replan import Replan
from bt_planner.tree.mission.reporter import MissionReporter
from bt_planner.tree.mission.request_plan import CommandPlanner, PlanCommand
from bt_planner.tree.mission.robot_state_to_blackboard import RobotStateToBlackboard
from bt_planner.tree.mission.wait_for_command import WaitForCommand
from bt_planner.tree.mission.worker import PlanWorker
from bt_planner.tree.timeout_policy import TimeoutPolicy
from bt_planner.tree.tree_files import find_tree
from bt_planner.tree.xml_load import load_tree_xml

StatusListener = Callable[[MissionStatus], None]


class Mission:
    """Owns the mission tree. ``submit`` commands, ``tick`` it, listen with ``on_status``.

    Every submitted command gets status updates (``MissionStatus``) through the listeners, on the
    thread that calls ``tick``, and ends in exactly one terminal state: succeeded, failed (with the
    reason), rejected (no safe plan), or cancelled (pre-empted by a newer command or e-stop).

    ``world`` is where the mission's world belief starts (``/world/belief``, ``world_belief()``):
    every command and re-plan is planned and verified against what the robot has seen and done
    since, not against the world file.

    Plans that need an operator's approval (``settings.approval``, or the command's own policy)
    wait in ``AwaitApproval`` on ``approvals`` (an ``ApprovalBroker``; pass one to share it with
    front ends). Observers (``add_observer``: a journal) see every command and event. ``halt``
    stops the robot for good with a reason (the journal calls it when it can no longer write).
    """

    def __init__(
        self,
        *,
        planner: CommandPlanner,
        robot: RobotInterface,
        world: World,
        limits: SafetyLimits,
        settings: ExecutionSettings | None = None,
        custom_actions: CustomActionRegistry | None = None,
        timeouts: TimeoutPolicy | None = None,
        tree_file: str | Path | None = None,
        on_status: StatusListener | None = None,
        approvals: ApprovalBroker | None = None,
    ) -> None:
        self.settings = settings if settings is not None else ExecutionSettings()
        self.robot = robot
        self.world = world
        self.approvals = approvals if approvals is not None else ApprovalBroker()
        self._observers: list[MissionObserver] = []
        self._submit_lock = threading.Lock()
        self._fault: str | None = None
        self._reporter = MissionReporter(robot.now)
        self._worker = PlanWorker()
        self._listeners: list[StatusListener] = [on_status] if on_status is not None else []
        self._lock = threading.Lock()
        self._inbox: list[CommandRequest] = []
        self._estop = False
        self._cancel: str | None = None
        self._abort: str | None = None
        self._next_id = 1
        registry = self.node_registry(
            planner=planner, limits=limits, custom_actions=custom_actions, timeouts=timeouts
        )
        self.tree_file = Path(tree_file) if tree_file is not None else find_tree("mission")
        root = load_tree_xml(self.tree_file, registry=registry)
        self._blackboard = py_trees.blackboard.Client(name="Mission")
        for key in (
            keys.ESTOP,
            keys.MISSION_REQUEST,
            keys.MISSION_ACTIVE,
            keys.MISSION_PLAN,
            keys.MISSION_FEEDBACK,
            keys.MISSION_APPROVED,
            keys.WORLD_BELIEF,
        ):
            self._blackboard.register_key(key=key, access=py_trees.common.Access.WRITE)
        self._blackboard.register_key(key=keys.ROBOT_STATE, access=py_trees.common.Access.WRITE)
        self._blackboard.register_key(key=keys.DETECTIONS, access=py_trees.common.Access.WRITE)
        self._reset_blackboard()
        self.tree = py_trees.trees.BehaviourTree(root)
        self.tree.setup()

    def node_registry(
        self,
        *,
        planner: CommandPlanner,
        limits: SafetyLimits,
        custom_actions: CustomActionRegistry | None,
        timeouts: TimeoutPolicy | None,
    ) -> dict[str, Any]:
        """XML tag -> constructor for the mission nodes, bound to this mission's collaborators."""
        reporter, robot, world = self._reporter, self.robot, self.world
        return {
            "RobotStateToBlackboard": functools.partial(RobotStateToBlackboard, robot=robot),
            "EStopHalt": functools.partial(EStopHalt, robot=robot, reporter=reporter),
            "PreemptCommand": functools.partial(PreemptCommand, reporter=reporter),
            "WaitForCommand": WaitForCommand,
            "Replan": functools.partial(Replan, max_replans=self.settings.max_replans, reporter=reporter),
            "AwaitApproval": functools.partial(
                AwaitApproval, policy=self.settings.approval, broker=self.approvals, reporter=reporter
            ),
            "PlanCommand": functools.partial(
                PlanCommand,
                planner=planner,
                world=world,
                limits=limits,
                worker=self._worker,
                reporter=reporter,
                custom_actions=custom_actions,
            ),
            "ExecutePlan": functools.partial(
                ExecutePlan,
                robot=robot,
                world=world,
                limits=limits,
                reporter=reporter,
                custom_actions=custom_actions,
                timeouts=timeouts,
                approval=self.settings.approval,
            ),
        }

    def _reset_blackboard(self) -> None:
        for key in (
            keys.MISSION_REQUEST,
            keys.MISSION_ACTIVE,
            keys.MISSION_PLAN,
            keys.MISSION_FEEDBACK,
            keys.MISSION_APPROVED,
        ):
            self._blackboard.set(key, None)
        self._blackboard.set(keys.ESTOP, False)
        self._blackboard.set(keys.ROBOT_STATE, self.robot.state())
        self._blackboard.set(keys.DETECTIONS, [])
        self._blackboard.set(keys.WORLD_BELIEF, self.world)

    # ---- inputs (any thread) ------------------------------------------------------------

    def submit(self, command: str, *, source: str = "api", approval: ApprovalPolicy | None = None) -> int:
        """Queue ``command``; it pre-empts the running one at the next tick. Returns its id.

        ``source`` names the entry point (for the journal); ``approval`` adds this command's own
        approval policy to the configured one (it can add a gate, never remove one). Observers
        hear of the command before it is queued (a journal writes its row first); one that
        refuses it (the journal cannot write) gets it REJECTED with the reason.
        """
        with self._submit_lock:
            with self._lock:
                request = CommandRequest(id=self._next_id, command=command, source=source, approval=approval)
                self._next_id += 1
            refused = self._fault
            try:
                for observer in list(self._observers):
                    observer.command_received(request)
            except BtPlannerError as error:
                refused = refused or f"the command was not recorded, so it will not run: {error}"
            with self._lock:
                if refused is None and self._fault is not None:
                    refused = self._fault
                if refused is not None:
                    self._reporter.report(request, MissionState.REJECTED, reason=refused)
                elif self._estop:
                    self._reporter.report(
                        request, MissionState.REJECTED, reason="emergency stop engaged; release it first"
                    )
                else:
                    self._inbox.append(request)
            return request.id

    def estop(self, on: bool) -> None:
        """Engage (True) or release (False) the e-stop. Engaging cancels the robot's goal at once."""
        with self._lock:
            self._estop = on
        self._reporter.event(0, MissionEventKind.ESTOP, engaged=on)
        if on:
            self.robot.cancel()
            self._wake_approvals()

    def halt(self, reason: str) -> None:
        """Stop for good: cancel the robot's goal now, end the running command with ``reason`` at the
        next tick, and reject every later command with it. For faults such as a journal that can no
        longer write; only a new ``Mission`` clears it. Safe from any thread; the first reason stays.
        """
        with self._lock:
            if self._fault is not None:
                return
            self._fault = reason
            self._cancel = reason
        self._reporter.event(0, MissionEventKind.HALTED, reason=reason)
        self.robot.cancel()
        self._wake_approvals()

    @property
    def fault(self) -> str | None:
        """Why the mission was halted (``halt``); None while it runs normally."""
        return self._fault

    def add_observer(self, observer: MissionObserver) -> None:
        """Send every later command and event to ``observer`` (see ``MissionObserver``)."""
        self._observers.append(observer)
        self._reporter.recording = True

    def cancel(self, reason: str = "cancelled") -> None:
        """Cancel the running (and any queued) command at the next tick, with ``reason`` as its last word.

        The command branch is stopped: the running leaf cancels its robot goal, a planner call in
        flight is dropped. Unlike the e-stop, the mission takes the next command as usual.
        """
        with self._lock:
            self._cancel = reason
        self._wake_approvals()

    @property
    def stop_requested(self) -> bool:
        """True while a cancel waits for the next tick, the e-stop is engaged, or the mission halted."""
        with self._lock:
            return self._cancel is not None or self._estop or self._fault is not None

    def abort(self, reason: str) -> None:
        """End the running command FAILED with ``reason`` at the next tick, without a re-plan.

        For a node the robot depends on that died (the launcher says so): the running leaf is
        halted and the robot's goal cancelled; queued commands stay queued and the mission takes
        the next command as usual. Nothing happens when no command is active.
        """
        with self._lock:
            self._abort = reason
        self._wake_approvals()

    def _wake_approvals(self) -> None:
        """Wake whoever waits on a pending approval, so the next tick ends the command at once."""
        self.approvals.wake()

    def add_listener(self, listener: StatusListener) -> None:
        """Call ``listener`` with every status change (on the ticking thread)."""
        self._listeners.append(listener)

    # ---- ticking ----------------------------------------------------------------------------

    def tick(self) -> None:
        """Apply queued commands and the e-stop flag, tick the tree once, deliver status changes."""
        with self._lock:
            inbox, self._inbox = self._inbox, []
            estop, cancel, self._cancel = self._estop or self._fault is not None, self._cancel, None
            abort, self._abort = self._abort, None
        if cancel is not None:
            self._cancel_now(cancel, queued=inbox)
            inbox = []
        elif abort is not None:
            self._abort_now(abort)
        if inbox:
            pending = self._blackboard.get(keys.MISSION_REQUEST)
            for older in ([pending] if pending is not None else []) + inbox[:-1]:
                self._reporter.report(
                    older,
                    MissionState.CANCELLED,
                    reason=f"superseded by command {inbox[-1].id} before it started",
                )
            self._blackboard.set(keys.MISSION_REQUEST, inbox[-1])
        self._blackboard.set(keys.ESTOP, estop)
        self.tree.tick()
        for status in self._reporter.drain():
            for listener in list(self._listeners):
                listener(status)
        if self._observers:
            events = self._reporter.drain_events()
            if events:
                for observer in list(self._observers):
                    observer.mission_events(events)

    def _abort_now(self, reason: str) -> None:
        active = self._blackboard.get(keys.MISSION_ACTIVE)
        if active is None:
            return
        self._reporter.report(active, MissionState.FAILED, reason=reason)
        self._blackboard.set(keys.MISSION_ACTIVE, None)
        if self.tree.root.status == py_trees.common.Status.RUNNING:
            self.tree.root.stop(py_trees.common.Status.INVALID)
        self.robot.cancel()

    def _cancel_now(self, reason: str, *, queued: list[CommandRequest]) -> None:
        pending = self._blackboard.get(keys.MISSION_REQUEST)
        active = self._blackboard.get(keys.MISSION_ACTIVE)
        for request in [r for r in (active, pending) if r is not None] + queued:
            self._reporter.report(request, MissionState.CANCELLED, reason=reason)
        self._blackboard.set(keys.MISSION_ACTIVE, None)
        self._blackboard.set(keys.MISSION_REQUEST, None)
        if self.tree.root.status == py_trees.common.Status.RUNNING:
            self.tree.root.stop(py_trees.common.Status.INVALID)
        self.robot.cancel()

    # ---- introspection ------------------------------------------------------------------

    @property
    def status(self) -> MissionStatus:
        """Latest status of the most recently submitted command (``WAITING`` before any)."""
        return self._reporter.latest()

    def status_of(self, command_id: int) -> MissionStatus | None:
        return self._reporter.status_of(command_id)

    @property
    def root(self) -> py_trees.behaviour.Behaviour:
        return self.tree.root

    def current_plan(self) -> CompiledPlan | None:
        """The compiled plan being (or last) executed, for views and tests."""
        for node in self.tree.root.iterate():
            if isinstance(node, ExecutePlan):
                return node.compiled
        return None

    def world_belief(self) -> World:
        """The world as the mission believes it is now, for views and tests.

        The world file, corrected by what the robot saw and did (``/world/belief``), with the
        robot's latest state applied: the held object rides along with it. Read it from the
        ticking thread (py_trees' blackboard is not locked).
        """
        return apply_robot_state(self._blackboard.get(keys.WORLD_BELIEF), self.robot.state())

    def wait_for_planning(self, timeout_s: float | None = None) -> bool:
        """Block until the planner call in flight (if any) has returned. For tests and scripts."""
        return self._worker.wait_idle(timeout_s)

    def shutdown(self) -> None:
        """Cancel the robot's goal, stop the tree and the planning thread."""
        self.robot.cancel()
        if self.tree.root.status == py_trees.common.Status.RUNNING:
            self.tree.root.stop(py_trees.common.Status.INVALID)
        self.tree.shutdown()
        self._worker.shutdown()
