"""A private rclpy node: its own context, spun by an executor on a daemon thread.

For ROS clients inside a process that is not itself a ROS node (the CLI's ``send``, the viewer's
snapshot sources, the MCP server, the launcher's lifecycle client): the context never installs
rclpy's signal handlers, so the process keeps its own Ctrl-C handling, and ``close`` tears the
pieces down in the one order that never hangs (executor, then the entities, node and context,
then the thread).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from typing import Any

import rclpy
from rclpy.context import Context
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions


class PrivateNode:
    """``node`` on a context of its own; create its entities, ``start()`` spinning, ``close()`` when done.

    Args:
        name: the node's name (unique per process if several exist at once).
        thread_name: the spinning thread's name (shows in thread dumps).
        domain_id: the ROS domain; None: ``ROS_DOMAIN_ID`` from the environment.
    """

    def __init__(self, name: str, *, thread_name: str, domain_id: int | None = None) -> None:
        self.context = Context()
        rclpy.init(context=self.context, domain_id=domain_id, signal_handler_options=SignalHandlerOptions.NO)
        self.node: Node = rclpy.create_node(name, context=self.context)
        self._executor = SingleThreadedExecutor(context=self.context)
        self._executor.add_node(self.node)
        self._thread = threading.Thread(target=self._spin, name=thread_name, daemon=True)

    def start(self) -> PrivateNode:
        """Start spinning (callbacks run on the private thread from now on)."""
        self._thread.start()
        return self

    def _spin(self) -> None:
        with contextlib.suppress(ExternalShutdownException):
            self._executor.spin()

    def close(self, *, destroy: Iterable[Any] = (), timeout_s: float = 2.0) -> None:
        """Stop spinning, destroy ``destroy`` (e.g. action clients), the node and the context."""
        self._executor.shutdown(timeout_sec=timeout_s)
        for entity in destroy:
            entity.destroy()
        self.node.destroy_node()
        self.context.try_shutdown()
        if self._thread.is_alive():
            self._thread.join(timeout=2 * timeout_s)


__all__ = ["PrivateNode"]
