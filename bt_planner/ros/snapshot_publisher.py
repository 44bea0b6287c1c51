"""Tree snapshots on the latched ``tree_snapshot`` topic: whenever one changes, and every ``period_s`` anyway.

The payload is :mod:`bt_planner.snapshot`'s versioned JSON (``codec.to_json``), so any viewer that reads
that format (``bt-planner view``, ``bt-planner watch``, a py_trees_js converter) can attach at any time: the
topic is transient-local, so a late subscriber gets the latest snapshot at once. The periodic publish
doubles as a heartbeat: a viewer that sees no snapshot for several periods knows the planner is gone.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rclpy.node import Node
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.snapshot.change import ChangeDetector
from bt_planner.snapshot.codec import to_json
from bt_planner.snapshot.tree_snapshot import TreeSnapshot


class SnapshotPublisher:
    """Decides when a snapshot is worth sending and sends it. Call ``offer`` after every tick."""

    def __init__(self, node: Node, *, period_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if period_s <= 0:
            raise ValueError(f"snapshot period must be positive, got {period_s}")
        self.period_s = period_s
        self.clock = clock
        self.published = 0
        self._detector = ChangeDetector()
        self._last_at = -float("inf")
        self._publisher = node.create_publisher(
            String, topics.TREE_SNAPSHOT.name, qos.for_topic(topics.TREE_SNAPSHOT)
        )

    def due(self) -> bool:
        """Whether the period has passed since the last publish."""
        return self.clock() - self._last_at >= self.period_s

    def offer(self, snapshot: TreeSnapshot) -> bool:
        """Publish ``snapshot`` if it differs from the last one published or the period has passed."""
        changed = self._detector.changed(snapshot)
        if not (changed or self.due()):
            return False
        self._publisher.publish(String(data=to_json(snapshot)))
        self._last_at = self.clock()
        self.published += 1
        return True
