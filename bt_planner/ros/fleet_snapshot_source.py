"""``FleetSnapshotSource``: every fleet robot's tree snapshots (``/<robot>/tree_snapshot``), for one viewer.

``bt-planner view --robot robot1 --robot robot2`` reads the named robots; ``--discover`` also watches the
ROS graph and adds every namespace that publishes a ``tree_snapshot`` topic of type ``std_msgs/String``
(how a bt_planner planner node publishes its snapshots) as it appears. One private rclpy context and node
spin on a daemon thread, with one transient-local subscription per robot, so a robot's latest snapshot
arrives at once however long ago it was published. Domain and discovery range come from the ``ROS_*``
environment variables.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterable

from pydantic import ValidationError
from rclpy.node import Node
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.ros.private_node import PrivateNode
from bt_planner.snapshot.codec import from_json
from bt_planner.snapshot.tree_snapshot import TreeSnapshot

SNAPSHOT_TYPE = "std_msgs/msg/String"
DISCOVERY_PERIOD_S = 1.0
_names = itertools.count(1)

RobotSnapshotCallback = Callable[[str, TreeSnapshot], object]
"""Called with the robot's name (its namespace without the leading ``/``) and one of its snapshots (the
same shape as :data:`bt_planner.viewer.sources.protocol.RobotSnapshotCallback`)."""


def snapshot_topic(robot: str) -> str:
    """The snapshot topic of fleet robot ``robot``: ``/robot1/tree_snapshot``."""
    return f"/{robot.strip('/')}/{topics.TREE_SNAPSHOT.name}"


def robots_publishing(names_and_types: Iterable[tuple[str, list[str]]]) -> list[str]:
    """Robot names whose ``/<robot>/tree_snapshot`` topic carries snapshots (the root topic is no robot)."""
    suffix = f"/{topics.TREE_SNAPSHOT.name}"
    found = []
    for name, types in names_and_types:
        robot = name.removesuffix(suffix).strip("/")
        if name.endswith(suffix) and robot and SNAPSHOT_TYPE in types:
            found.append(robot)
    return sorted(found)


class FleetSnapshotSource:
    """Delivers each robot's snapshots, tagged with the robot's name, until stopped.

    ``robots`` are subscribed at :meth:`start`; with ``discover`` every namespace publishing snapshots
    is added too (checked every ``discovery_period_s``), and ``on_robot`` hears of each robot once,
    before its first snapshot.
    """

    def __init__(
        self,
        *,
        robots: Iterable[str] = (),
        discover: bool = False,
        discovery_period_s: float = DISCOVERY_PERIOD_S,
    ) -> None:
        self.robots: list[str] = list(dict.fromkeys(robot.strip("/") for robot in robots))
        self.discover = discover
        self.discovery_period_s = discovery_period_s
        self.received: dict[str, int] = {}
        self.malformed = 0
        self._subscribed: set[str] = set()
        self._private: PrivateNode | None = None
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        domain = os.environ.get("ROS_DOMAIN_ID", "0")
        named = ", ".join(snapshot_topic(robot) for robot in self.robots) or "no robot named"
        found = "; discovering namespaces that publish tree_snapshot" if self.discover else ""
        return f"ROS topics {named}{found} (domain {domain})"

    def start(
        self, on_snapshot: RobotSnapshotCallback, on_robot: Callable[[str], object] | None = None
    ) -> None:
        with self._lock:
            if self._private is not None:
                raise RuntimeError(f"{self.description} is already started")
            private = PrivateNode(
                f"bt_planner_fleet_viewer_{os.getpid()}_{next(_names)}", thread_name="ros-fleet-snapshots"
            )
            node = private.node
            for robot in self.robots:
                self._subscribe(node, robot, on_snapshot, on_robot)
            if self.discover:
                node.create_timer(
                    self.discovery_period_s, lambda: self._discover(node, on_snapshot, on_robot)
                )
            self._private = private.start()

    def _discover(
        self, node: Node, on_snapshot: RobotSnapshotCallback, on_robot: Callable[[str], object] | None
    ) -> None:
        for robot in robots_publishing(node.get_topic_names_and_types()):
            if robot not in self._subscribed:
                self.robots.append(robot)
                self._subscribe(node, robot, on_snapshot, on_robot)

    def _subscribe(
        self,
        node: Node,
        robot: str,
        on_snapshot: RobotSnapshotCallback,
        on_robot: Callable[[str], object] | None,
    ) -> None:
        self._subscribed.add(robot)
        self.received.setdefault(robot, 0)
        if on_robot is not None:
            on_robot(robot)

        def deliver(msg: String) -> None:
            try:
                snapshot = from_json(msg.data)
            except ValidationError as error:
                self.malformed += 1
                node.get_logger().warning(
                    f"ignored a malformed snapshot of {robot}: {error}", throttle_duration_sec=10.0
                )
                return
            self.received[robot] += 1
            on_snapshot(robot, snapshot)

        node.create_subscription(String, snapshot_topic(robot), deliver, qos.for_topic(topics.TREE_SNAPSHOT))

    def stop(self) -> None:
        with self._lock:
            private, self._private = self._private, None
        if private is not None:
            private.close()
