"""``bt-planner-node``: the planner and mission tree on ROS 2.

Commands arrive on ``robot_command``; the :class:`bt_planner.tree.mission.Mission` plans them on its worker
thread (so ticks never wait for the LLM), verifies, executes against the robot through :class:`RosRobot`, and
re-plans on failure. The tree ticks on an rclpy timer every ``tick_period_s``; its first branch is the
robot-state subscriber leaves (:class:`StateTopics`), so the mission acts only on state that has arrived, and
guards fail the running action once the required state topics are silent for ``state_timeout_s``.

With ``journal_path`` set, every command (``robot_command``: source ``ros-topic``; ``execute_command``:
``ros-action``) is journalled; opening the journal closes what a killed node left open as aborted. Plans the
``approval`` policy gates wait on ``approval_requests`` for the ``decide_approval`` service
(:mod:`bt_planner.ros.approval_service`).

Publishes ``planner_status``, ``planned_actions``, ``planner_feedback`` and ``tree_snapshot``; see
:mod:`bt_planner.ros.topics` for every topic and payload.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import py_trees
from rclpy.executors import Executor
from rclpy.lifecycle import LifecycleNode, LifecycleState, ManagedEntity, TransitionCallbackReturn
from rclpy.node import Node
from rclpy.timer import Timer
from std_msgs.msg import Bool, String

from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.errors import BackendUnavailable, JournalError
from bt_planner.journal import Journal, MissionJournal
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.ros import qos, topics
from bt_planner.ros.approval_service import ApprovalService, policy_text
from bt_planner.ros.execute_command_server import ActiveAction, ExecuteCommandServer
from bt_planner.ros.fleet_peers import guard_peers
from bt_planner.ros.node_entities import EntityScope
from bt_planner.ros.node_events import NodeDeaths
from bt_planner.ros.node_journal import open_node_journal
from bt_planner.ros.node_parameters import PlannerNodeParameters
from bt_planner.ros.node_runtime import run_node
from bt_planner.ros.parameter_binding import declare_parameters, describe
from bt_planner.ros.payloads import FeedbackMessage, PlannerStatus
from bt_planner.ros.plan_services import PlanServices
from bt_planner.ros.robot_liveness import RobotLiveness
from bt_planner.ros.robot_selection import select_robot
from bt_planner.ros.snapshot_publisher import SnapshotPublisher
from bt_planner.ros.snapshot_streams import SnapshotStreams
from bt_planner.ros.state_topics import StateTopics
from bt_planner.ros.status_publisher import StatusPublisher
from bt_planner.ros.world_file import load_world
from bt_planner.ros.world_markers import WorldMarkers
from bt_planner.snapshot.capture import capture
from bt_planner.snapshot.tree_snapshot import MissionContext
from bt_planner.tree.action_outcome import ActionStatus
from bt_planner.tree.leaves.action_leaf import ActionLeaf
from bt_planner.tree.mission import CommandPlanner, Mission

STARTUP_ERRORS = (ValueError, OSError, BackendUnavailable, JournalError)
"""What configuring may raise for a reason the user can fix: bad parameters or config, unreadable world
file, no LLM backend, unusable journal. Configure then fails with that reason."""


def load_parameters(node: Node) -> tuple[PlannerNodeParameters, Settings]:
    """Declare the parameters (once) and read them; ``config_file`` first: it supplies the others' defaults.

    Called again on every configure: then the values set since (``ros2 param set``) and the config file's
    current content apply; the declared defaults stay those of the first call.
    """
    field = PlannerNodeParameters.model_fields["config_file"]
    if not node.has_parameter("config_file"):
        node.declare_parameter("config_file", "", describe(field.description))
    config_file = str(node.get_parameter("config_file").value)
    settings = Settings.load(config_file or None)
    defaults = PlannerNodeParameters(
        config_file=config_file,
        tick_period_s=settings.execution.tick_period_s,
        state_timeout_s=settings.safety.max_state_age_s,
        max_replans=settings.execution.max_replans,
        journal_path=str(settings.journal.path or ""),
        approval=policy_text(settings.execution.approval),
        approval_timeout_s=settings.execution.approval.timeout_s,
    )
    declared = tuple(name for name in PlannerNodeParameters.model_fields if node.has_parameter(name))
    params = declare_parameters(node, defaults, skip=declared)
    approval = ApprovalPolicy.model_validate(params.approval).model_copy(
        update={"timeout_s": params.approval_timeout_s}
    )
    settings = settings.model_copy(
        update={
            "safety": settings.safety.model_copy(update={"max_state_age_s": params.state_timeout_s}),
            "execution": settings.execution.model_copy(
                update={
                    "tick_period_s": params.tick_period_s,
                    "max_replans": params.max_replans,
                    "approval": approval,
                }
            ),
            "journal": settings.journal.model_copy(update={"path": params.journal_path or None}),
        }
    )
    return params, settings


class PlannerNode(ManagedEntity):
    """The planner node, a managed (lifecycle) node. Build after ``rclpy.init``; ``close()`` cancels the robot.

    ``planner`` replaces the LLM planner the config file selects (for embedding and tests).

    Lifecycle (``~/change_state``, ``~/get_state``; ``ros2 lifecycle set`` works too):

    * unconfigured: parameters are declared; ``execute_command`` and ``robot_command`` exist but refuse.
    * configure: re-reads the parameters and the config file, loads the world, builds the planner (model),
      robot adapter, mission tree, journal and services. A failure (unknown world file, bad config, no LLM
      backend) returns FAILURE, logs the reason and releases what was built: the node stays unconfigured.
    * activate: the tree ticks; goals and commands are accepted.
    * deactivate: the running command is cancelled (its goal ends CANCELLED, SHUTDOWN), the robot is told
      to stop, the tree stops ticking; goals are aborted NOT_ACTIVE and commands REJECTED "node is inactive".
    * cleanup: releases everything configure built. shutdown: the same from any state.

    With the ``autostart`` parameter (default true) the node configures and activates itself at start; a
    configure failure then raises (the process exits 2, as before the node was managed).
    """

    def __init__(self, *, node_name: str = "bt_planner_node", planner: CommandPlanner | None = None) -> None:
        self.node = LifecycleNode(node_name)
        self.node.add_managed_entity(self)
        self._planner_override = planner
        self.params, self.settings = load_parameters(self.node)
        self._active = False
        self._configured = False
        self.configure_error = ""
        self._scope = EntityScope(self.node)
        self._tick_timer: Timer | None = None
        self.mission: Mission | None = None
        self.journal: Journal | None = None
        self.ticks = 0
        self._received_since_tick = 0
        self.status = StatusPublisher(self.node, explain_failure=self._silent_topics)
        self.actions = ExecuteCommandServer(
            self.node,
            mission=lambda: self.mission if self._active else None,
            active_action=self._active_action,
            world=None,
            world_file=self.params.world_file,
            max_command_length=self.params.max_command_length,
        )
        if self.params.autostart:
            if self.node.trigger_configure() != TransitionCallbackReturn.SUCCESS:
                raise ValueError(f"configuring {node_name!r} failed: {self.configure_error}")
            self.node.trigger_activate()
        # last: a matched robot_command subscription means the node is up (commands while inactive: REJECTED)
        self.node.create_subscription(
            String, topics.ROBOT_COMMAND.name, self._on_command, qos.for_topic(topics.ROBOT_COMMAND)
        )

    # ---- lifecycle transitions (on the executor thread) -----------------------------------------

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._scope.begin()
        try:
            self._build()
        except STARTUP_ERRORS as error:
            self.configure_error = str(error)
            self.node.get_logger().error(f"configure failed: {error}")
            self._release()
            return TransitionCallbackReturn.FAILURE
        self.configure_error = ""
        self._configured = True
        return TransitionCallbackReturn.SUCCESS

    def _build(self) -> None:
        """Everything a configured node has: parameters, config, world, planner, robot, mission, services."""
        self.params, self.settings = load_parameters(self.node)
        self.world = load_world(self.params.world_file)
        self.state_topics = StateTopics()
        self.robot = select_robot(
            self.node, params=self.params, state_topics=self.state_topics, fallback=self.world.robot
        )
        planner = self._planner_override
        self.planner = guard_peers(
            self.node,
            planner if planner is not None else LLMActionPlanner(self.settings),
            peers=self.params.fleet_peers,
            limits=self.settings.safety,
        )
        mission = Mission(
            planner=self.planner,
            robot=self.robot,
            world=self.world,
            limits=self.settings.safety,
            settings=self.settings.execution,
            tree_file=self.params.tree_file or None,
            on_status=self.status.on_mission_status,
        )
        self.mission = mission
        mission.tree.insert_subtree(self.state_topics.root, mission.root.id, 0)
        self.state_topics.setup(self.node)
        self._visitor = py_trees.visitors.SnapshotVisitor()
        mission.tree.visitors.append(self._visitor)
        self.snapshots = SnapshotPublisher(self.node, period_s=self.params.snapshot_period_s)
        self.snapshot_streams = SnapshotStreams(self.node)
        self.plan_services = PlanServices(
            self.node,
            planner=self.planner,
            limits=self.settings.safety,
            state=self.robot.state,
            world=mission.world_belief,
            max_command_length=self.params.max_command_length,
        )
        self.markers = WorldMarkers(self.node)
        self.actions.world = self.world
        self.actions.world_file = self.params.world_file
        self.actions.max_command_length = self.params.max_command_length
        self.actions.shutting_down = False
        mission.add_listener(self.actions.on_mission_status)
        # before the first command: every command is journalled from its arrival (a failing journal halts)
        self.journal = open_node_journal(
            self.node, path=self.params.journal_path, settings=self.settings.journal
        )
        if self.journal is not None:
            MissionJournal(self.journal).attach(mission)
        self.approvals = ApprovalService(self.node, broker=mission.approvals)
        self.liveness = RobotLiveness(self.node, topic=topics.ODOM.name)
        self.deaths = NodeDeaths(self.node, on_death=self._on_node_died)
        self._robot_stopped_at_start = False
        self.node.create_subscription(Bool, topics.ESTOP.name, self._on_estop, qos.for_topic(topics.ESTOP))
        self._tick_timer = self.node.create_timer(self.params.tick_period_s, self._tick)
        self._tick_timer.cancel()  # ticks start on activate
        self.node.get_logger().info(
            f"configured: world {self.world.name!r}, {type(mission).__name__} tree {mission.tree_file}, "
            f"ticking every {self.params.tick_period_s:g} s once active"
        )

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        assert self._tick_timer is not None
        self._active = True
        self._tick_timer.reset()
        self.node.get_logger().info("active: accepting goals and commands")
        return TransitionCallbackReturn.SUCCESS

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._stop("the planner node was deactivated")
        self.node.get_logger().info("inactive: the running command was cancelled and the robot stopped")
        return TransitionCallbackReturn.SUCCESS

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        self._release()
        self.node.get_logger().info("cleaned up: unconfigured")
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        self.actions.shutting_down = True
        self._stop("shutdown")
        self._release()
        self.node.get_logger().info("finalized")
        return TransitionCallbackReturn.SUCCESS

    def on_error(self, state: LifecycleState) -> TransitionCallbackReturn:
        """A transition raised: stop, release everything, end unconfigured."""
        self._stop("the planner node hit an error in a lifecycle transition")
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def _stop(self, reason: str) -> None:
        """Stop ticking, cancel the running command (its goal ends now) and the robot's goal."""
        was_active, self._active = self._active, False
        if self._tick_timer is not None:
            self._tick_timer.cancel()
        if self.mission is not None and was_active:
            self.mission.cancel(reason)
            self.mission.tick()  # delivers CANCELLED to the status topic and the action goals
            self.robot.cancel()
        self.actions.abort_all(reason)

    def _release(self) -> None:
        """Undo configure: stop the mission and planning thread, close the journal, destroy the entities."""
        self._active = False
        self._configured = False
        if self.mission is not None:
            self.mission.shutdown()
            self.plan_services.destroy()
            self.state_topics.shutdown()
        if self.journal is not None:
            self.journal.close()
        self.mission, self.journal, self._tick_timer = None, None, None
        self._scope.release()

    def close(self) -> None:
        self.actions.abort_all("shutdown")
        self._release()

    def finish(self, executor: Executor, *, timeout_s: float = 2.0) -> None:
        """On the way out, while ``executor`` still spins this node: cancel the running command
        ("shutdown"), publish its CANCELLED status, send every action goal's result, and wait (all
        bounded by ``timeout_s``) until status subscribers have the status."""
        self.actions.shutting_down = True
        if self.mission is not None:
            self.mission.cancel("shutdown")
            self.mission.tick()
        deadline = time.monotonic() + timeout_s
        while self.actions.pending() and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.02)
        # rclpy sends a result response from a task it queues as the goal's execute callback returns,
        # and the executor runs queued tasks in the order they were queued: once a task queued after
        # them has run, the responses are sent. (Counting spin slices instead lost a response when the
        # slices went to subscription callbacks on a loaded machine.)
        queued_after = executor.create_task(lambda: None)
        executor.spin_until_future_complete(queued_after, timeout_sec=max(0.05, deadline - time.monotonic()))
        self.status.wait_delivered(max(0.1, deadline - time.monotonic()))

    # ---- inputs ---------------------------------------------------------------------------------

    def _on_command(self, msg: String) -> None:
        command = msg.data.strip()
        self._received_since_tick += 1
        limit = self.params.max_command_length
        if not command:
            reason = "the command is empty"
        elif len(command) > limit:
            reason = f"the command has {len(command)} characters; the limit is {limit} (max_command_length)"
        elif self.mission is None or not self._active:
            state = "inactive" if self._configured else "unconfigured"
            reason = (
                f"the planner node is inactive (lifecycle state: {state}); activate it to accept commands"
            )
        elif self._received_since_tick > self.params.max_queued_commands:
            reason = f"command queue full: more than {self.params.max_queued_commands} commands arrived in one tick"
        else:
            reason = ""
        if reason or self.mission is None:
            self.node.get_logger().warning(f"rejected a command: {reason}")
            self.status.publish(PlannerStatus.REJECTED, command=command[:200], details=reason)
            return
        self.status.publish(PlannerStatus.RECEIVED_COMMAND, command=command)
        self.mission.submit(command, source="ros-topic")

    def _on_node_died(self, name: str, message: str) -> None:
        if name == self.node.get_name():
            return
        self.node.get_logger().error(message)
        fail_running = getattr(self.robot, "fail_running", None)
        if fail_running is not None:
            fail_running(message)  # the running robot goal fails now, naming the dead node
        if self.mission is not None:  # and the command ends FAILED, whatever its running action is
            self.mission.abort(message)

    def _on_estop(self, msg: Bool) -> None:
        self.node.get_logger().warning(f"e-stop {'engaged' if msg.data else 'released'}")
        self.actions.estop_engaged = bool(msg.data)
        if self.mission is not None:
            self.mission.estop(bool(msg.data))

    # ---- ticking --------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.mission is None or not self._active:
            return
        self._received_since_tick = 0
        self.mission.tick()
        self.ticks += 1
        self.actions.tick()
        self.snapshot_streams.publish(self.mission.root, self._visitor)
        self.liveness.update()
        if not self._robot_stopped_at_start and self.liveness.present():
            self._robot_stopped_at_start = True
            self.robot.cancel()  # a restarted planner starts with the robot stopped
        self._publish_feedback()
        self._publish_snapshot()
        self._publish_markers()

    @property
    def _mission(self) -> Mission:
        """The mission of a configured node (only called from ticks and callbacks of configured entities)."""
        assert self.mission is not None, "the planner node is not configured"
        return self.mission

    def _running_leaf(self) -> ActionLeaf[Any] | None:
        if self.mission is None:
            return None
        compiled = self.mission.current_plan()
        if compiled is None:
            return None
        for leaf in compiled.leaves:
            if leaf.outcome.status is ActionStatus.RUNNING:
                return leaf
        return None

    def _publish_feedback(self) -> None:
        status = self._mission.status
        if status.command_id == 0:
            return
        leaf = self._running_leaf()
        compiled = self._mission.current_plan()
        if leaf is not None:
            message = leaf.feedback_message
        else:
            message = self._idle_message(status.reason or status.state.value)
        self.status.feedback(
            FeedbackMessage(
                timestamp=self.robot.now(),
                command=status.command,
                attempt=max(status.attempt, 1),
                action_index=leaf.index if leaf is not None else None,
                action_count=len(compiled.leaves) if compiled is not None else 0,
                action=leaf.name if leaf is not None else None,
                message=message,
            )
        )

    def _active_action(self) -> ActiveAction:
        leaf = self._running_leaf()
        compiled = self._mission.current_plan()
        if leaf is None:
            return ActiveAction(count=len(compiled.leaves) if compiled is not None else 0)
        return ActiveAction(
            index=leaf.index,
            count=len(compiled.leaves) if compiled is not None else 0,
            title=leaf.name,
            progress=self.robot.goal_status().progress,
            message=leaf.feedback_message,
        )

    def _idle_message(self, default: str) -> str:
        if self.state_topics.root.status == py_trees.common.Status.RUNNING:
            missing = [leaf.topic_name for leaf in self.state_topics.required if not leaf.received()]
            return f"waiting for robot state on: {', '.join(missing)}"
        return default

    def _publish_snapshot(self) -> None:
        status = self._mission.status
        latest = self.status.latest
        leaf = self._running_leaf()
        context = None
        if status.command_id:
            context = MissionContext(
                command=status.command,
                plan=status.plan.to_wire() if status.plan is not None else None,
                status=latest.status.value if latest is not None else None,
                details=latest.details if latest is not None else "",
                action_index=leaf.index if leaf is not None else None,
                attempt=max(status.attempt, 1),
            )
        snapshot = capture(
            self._mission.root,
            tick=self.ticks,
            visited=self._visitor.visited,
            mission=context,
            robot=self.robot.state(),
            world=self._mission.world_belief(),
        )
        self.snapshots.offer(snapshot)

    def _publish_markers(self) -> None:
        compiled = self._mission.current_plan()
        leaf = self._running_leaf()
        self.markers.update(
            self._mission.world_belief(),
            compiled.plan if compiled is not None else None,
            running_index=leaf.index if leaf is not None else -1,
        )

    def _silent_topics(self) -> str:
        if self.mission is None:
            return ""
        silent = self.state_topics.stale_topics(self.params.state_timeout_s)
        gone = self.liveness.gone()
        died = self.deaths.recent()
        parts = [died] if died else [f"robot node {', '.join(gone)} is gone"] if gone else []
        if silent:
            parts.append(f"no robot state for over {self.params.state_timeout_s:g} s on: {', '.join(silent)}")
        return "; ".join(parts)


def main(args: list[str] | None = None) -> int:
    """Console script ``bt-planner-node``: spin the planner node until Ctrl-C."""
    return run_node(PlannerNode, args=args, startup_errors=STARTUP_ERRORS)


if __name__ == "__main__":
    sys.exit(main())
