"""``node_events``: the launcher tells the planner which node died (and was restarted).

``bt-planner launch`` publishes one JSON message per event on ``node_events`` (``std_msgs/String``,
latched history): ``{"node": "bt_planner_sim", "event": "died", "exit_code": -9, "timestamp": ...}``. The
planner remembers recent deaths and names the dead node in the running command's FAILED details, which
otherwise could only say which topics fell silent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import rclpy
from rclpy.context import Context
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions
from std_msgs.msg import String

from bt_planner.ros import qos
from bt_planner.ros.topics import QosKind

TOPIC = "node_events"
RECENT_S = 30.0
"""A death older than this is no longer mentioned."""


class NodeEventPublisher:
    """An rclpy node of its own in the launcher process, publishing on ``node_events``."""

    def __init__(self) -> None:
        self._context = Context()
        rclpy.init(context=self._context, signal_handler_options=SignalHandlerOptions.NO)
        self._node = rclpy.create_node("bt_planner_launch", context=self._context)
        self._publisher = self._node.create_publisher(String, TOPIC, qos.profile(QosKind.LATCHED_HISTORY))

    def died(self, node: str, exit_code: int | None) -> None:
        payload = {"node": node, "event": "died", "exit_code": exit_code, "timestamp": time.time()}
        self._publisher.publish(String(data=json.dumps(payload)))

    def close(self) -> None:
        self._node.destroy_node()
        self._context.try_shutdown()


class NodeDeaths:
    """The planner's side: subscribes to ``node_events`` and remembers recent deaths."""

    def __init__(self, node: Node, *, on_death: Callable[[str, str], None] | None = None) -> None:
        self._deaths: dict[str, tuple[float, Any]] = {}
        self._on_death = on_death
        node.create_subscription(String, TOPIC, self._on_event, qos.profile(QosKind.LATCHED_HISTORY))

    def _on_event(self, msg: String) -> None:
        try:
            event = json.loads(msg.data)
            if event.get("event") == "died":
                name = str(event["node"])[:200]
                self._deaths[name] = (time.monotonic(), event.get("exit_code"))
                if self._on_death is not None:
                    self._on_death(name, f"node {name} died (exit code {event.get('exit_code')})")
        except (ValueError, KeyError, TypeError, AttributeError):
            return

    def recent(self) -> str:
        """E.g. "node bt_planner_sim died (exit code -9)", or "" when none died lately."""
        now = time.monotonic()
        parts = [
            f"node {name} died (exit code {code})"
            for name, (at, code) in sorted(self._deaths.items())
            if now - at <= RECENT_S
        ]
        return "; ".join(parts)
