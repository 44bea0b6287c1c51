"""Which robot-side nodes have gone: the nodes that published robot state and no longer do.

The planner names them when a command fails (``FAILED`` details), so "the simulator died" reads as that,
not only as silent topics. Graph queries are local (no network traffic) and made at most every
``period_s``.
"""

from __future__ import annotations

import time

from rclpy.node import Node


class RobotLiveness:
    """Remembers every node seen publishing on ``topic``; :meth:`gone` lists those no longer there."""

    def __init__(self, node: Node, *, topic: str, period_s: float = 0.5) -> None:
        self.node = node
        self.topic = topic
        self.period_s = period_s
        self._seen: set[str] = set()
        self._present: set[str] = set()
        self._checked = 0.0

    def update(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.period_s:
            return
        self._checked = now
        infos = self.node.get_publishers_info_by_topic(self.node.resolve_topic_name(self.topic))
        self._present = {info.node_name for info in infos}
        self._seen |= self._present

    def gone(self) -> list[str]:
        """Nodes that published ``topic`` before and publish it no more (fresh graph query)."""
        self._checked = 0.0
        self.update()
        return sorted(self._seen - self._present)

    def present(self) -> bool:
        return bool(self._present)
