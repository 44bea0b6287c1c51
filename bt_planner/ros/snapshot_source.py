"""``RosSnapshotSource``: tree snapshots from the ``tree_snapshot`` topic, for ``bt-planner view`` / ``watch``.

It implements :class:`bt_planner.viewer.sources.protocol.SnapshotSource`: ``start`` spins a private rclpy context and
node on a daemon thread (so it neither needs nor disturbs any other rclpy use in the process), decodes each
message with :func:`bt_planner.snapshot.codec.from_json` and hands it to the callback; ``stop`` tears it all
down. The subscription is transient-local, so the latest snapshot arrives at once even if the planner
published it long before. Domain and discovery range come from the usual ``ROS_*`` environment variables.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable

from pydantic import ValidationError
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.ros.private_node import PrivateNode
from bt_planner.snapshot.codec import from_json
from bt_planner.snapshot.tree_snapshot import TreeSnapshot

_names = itertools.count(1)


class RosSnapshotSource:
    """Delivers every snapshot published on ``topic`` to a callback, from its own thread, until stopped."""

    def __init__(self, *, topic: str = topics.TREE_SNAPSHOT.name) -> None:
        self.topic = topic
        self.received = 0
        self.malformed = 0
        self._private: PrivateNode | None = None
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        domain = os.environ.get("ROS_DOMAIN_ID", "0")
        return f"ROS topic {self.topic} (domain {domain})"

    def start(self, on_snapshot: Callable[[TreeSnapshot], object]) -> None:
        with self._lock:
            if self._private is not None:
                raise RuntimeError(f"{self.description} is already started")
            private = PrivateNode(
                f"bt_planner_snapshot_reader_{os.getpid()}_{next(_names)}", thread_name="ros-snapshots"
            )
            node = private.node

            def deliver(msg: String) -> None:
                try:
                    snapshot = from_json(msg.data)
                except ValidationError as error:
                    self.malformed += 1
                    node.get_logger().warning(
                        f"ignored a malformed snapshot: {error}", throttle_duration_sec=10.0
                    )
                    return
                self.received += 1
                on_snapshot(snapshot)

            node.create_subscription(String, self.topic, deliver, qos.for_topic(topics.TREE_SNAPSHOT))
            self._private = private.start()

    def stop(self) -> None:
        with self._lock:
            private, self._private = self._private, None
        if private is not None:
            private.close()
