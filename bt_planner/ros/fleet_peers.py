"""Other robots of a shared world, seen from one robot's planner: their positions, and a planner guard.

:class:`PeerPositions` subscribes to each peer's ``odom`` (``<namespace>/odom``, absolute names, so a
planner in ``/robot1`` hears ``/robot2/odom``). :class:`PeerAwarePlanner` wraps any planner and refuses a
plan whose navigation target is where a peer stands now
(:func:`bt_planner.verification.peer_targets.check_peer_targets`); the refusal is an ordinary failed
:class:`bt_planner.planning.result.PlanResult` whose issue names the peer and the numbers.
"""

from __future__ import annotations

import threading
from typing import Any

from nav_msgs.msg import Odometry
from rclpy.node import Node

from bt_planner.core.geometry import Vec2
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult
from bt_planner.plans.task_goals import GoalList
from bt_planner.ros import conversions, qos, topics
from bt_planner.tree.mission.request_plan import CommandPlanner, GoalExpander
from bt_planner.verification.peer_targets import check_peer_targets


def parse_peers(text: str) -> tuple[str, ...]:
    """``"/robot2, robot3"`` → ``("/robot2", "/robot3")``: absolute namespaces, blanks dropped."""
    return tuple("/" + part.strip().strip("/") for part in text.split(",") if part.strip().strip("/"))


class PeerPositions:
    """The latest planar position of each peer robot, from its odometry. Thread-safe."""

    def __init__(self, node: Node, namespaces: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._positions: dict[str, Vec2] = {}
        for namespace in namespaces:
            node.create_subscription(
                Odometry,
                f"{namespace}/{topics.ODOM.name}",
                lambda msg, name=namespace: self._on_odom(name, msg),
                qos.for_topic(topics.ODOM),
            )

    def _on_odom(self, name: str, msg: Odometry) -> None:
        pose = conversions.pose_from_odometry(msg)
        with self._lock:
            self._positions[name] = Vec2(x=pose.x, y=pose.y)

    def snapshot(self) -> dict[str, Vec2]:
        """Every peer heard from so far and where it was last."""
        with self._lock:
            return dict(self._positions)


class PeerAwarePlanner:
    """``inner``'s plans, minus those that drive onto a peer (``expand`` too, when ``inner`` has it)."""

    def __init__(self, inner: CommandPlanner, *, peers: PeerPositions, limits: SafetyLimits) -> None:
        self.inner = inner
        self.peers = peers
        self.limits = limits

    def plan(
        self, command: str, state: RobotState | None = None, world: World | None = None, **kwargs: Any
    ) -> PlanResult:
        return self._guard(self.inner.plan(command, state, world, **kwargs), state, world)

    def expand(
        self, goals: GoalList, state: RobotState | None = None, world: World | None = None, **kwargs: Any
    ) -> PlanResult:
        if not isinstance(self.inner, GoalExpander):
            raise TypeError(f"{type(self.inner).__name__} cannot expand goals")
        return self._guard(self.inner.expand(goals, state, world, **kwargs), state, world)

    def _guard(self, result: PlanResult, state: RobotState | None, world: World | None) -> PlanResult:
        if not result.success or result.plan is None or world is None:
            return result
        issues = check_peer_targets(
            plan=result.plan,
            state=state if state is not None else world.robot,
            world=world,
            limits=self.limits,
            peers=self.peers.snapshot(),
        )
        if not issues:
            return result
        return result.model_copy(update={"success": False, "plan": None, "issues": [*result.issues, *issues]})


def guard_peers(node: Node, planner: CommandPlanner, *, peers: str, limits: SafetyLimits) -> CommandPlanner:
    """``planner`` guarded against driving onto the robots named in ``peers`` (the ``fleet_peers`` parameter)."""
    namespaces = parse_peers(peers)
    if not namespaces:
        return planner
    return PeerAwarePlanner(planner, peers=PeerPositions(node, namespaces), limits=limits)
