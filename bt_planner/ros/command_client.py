"""``CommandClient``: send a command on ``robot_command`` and follow ``planner_status``, without ros2cli.

Used by ``bt-planner launch --command``; it runs its own rclpy context on a daemon thread, so it works next
to nodes in the same process. Domain and discovery range come from the ``ROS_*`` environment variables.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import rclpy
from pydantic import ValidationError
from rclpy.context import Context
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.ros.payloads import StatusMessage

WAIT_SLICE_S = 0.05


class CommandClient:
    """Publishes commands and calls ``on_status`` with every ``planner_status`` message (its own thread)."""

    def __init__(self, *, on_status: Callable[[StatusMessage], object]) -> None:
        self.on_status = on_status
        self._context = Context()
        rclpy.init(context=self._context, signal_handler_options=SignalHandlerOptions.NO)
        self._node = rclpy.create_node("bt_planner_command_client", context=self._context)
        self._publisher = self._node.create_publisher(
            String, topics.ROBOT_COMMAND.name, qos.for_topic(topics.ROBOT_COMMAND)
        )
        self._node.create_subscription(
            String, topics.PLANNER_STATUS.name, self._on_status, qos.for_topic(topics.PLANNER_STATUS)
        )
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)
        self._thread = threading.Thread(target=self._spin, name="ros-command-client", daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        with contextlib.suppress(ExternalShutdownException):
            self._executor.spin()

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
        self._executor.shutdown(timeout_sec=2.0)
        self._node.destroy_node()
        self._context.try_shutdown()
        self._thread.join(timeout=5.0)
