"""``CommandClient``: send a command on ``robot_command`` and follow ``planner_status``, without ros2cli.

Used by ``bt-planner launch --command``; it runs its own rclpy context on a daemon thread, so it works next
to nodes in the same process. Domain and discovery range come from the ``ROS_*`` environment variables.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from pydantic import ValidationError
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.ros.payloads import StatusMessage
from bt_planner.ros.private_node import PrivateNode

WAIT_SLICE_S = 0.05


class CommandClient:
    """Publishes commands and calls ``on_status`` with every ``planner_status`` message (its own thread)."""

    def __init__(self, *, on_status: Callable[[StatusMessage], object]) -> None:
        self.on_status = on_status
        self._private = PrivateNode("bt_planner_command_client", thread_name="ros-command-client")
        self._node = self._private.node
        self._publisher = self._node.create_publisher(
            String, topics.ROBOT_COMMAND.name, qos.for_topic(topics.ROBOT_COMMAND)
        )
        self._node.create_subscription(
            String, topics.PLANNER_STATUS.name, self._on_status, qos.for_topic(topics.PLANNER_STATUS)
        )
        self._private.start()

    def _on_status(self, msg: String) -> None:
        try:
            status = StatusMessage.model_validate_json(msg.data)
        except ValidationError:
            return
        self.on_status(status)

    def send(self, command: str, *, timeout_s: float = 30.0, stop: threading.Event | None = None) -> bool:
        """Publish ``command`` once a planner subscribes; False if none did within ``timeout_s`` (or on ``stop``)."""
        deadline = time.monotonic() + timeout_s
        waiter = stop if stop is not None else threading.Event()
        while self._publisher.get_subscription_count() == 0:
            if time.monotonic() > deadline or waiter.wait(WAIT_SLICE_S):
                return False
        self._publisher.publish(String(data=command))
        return True

    def close(self) -> None:
        self._private.close()
