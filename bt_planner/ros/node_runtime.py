"""Run one node until Ctrl-C, SIGTERM, or its parent process going away; then clean up and exit 0.

Node executables call :func:`run_node` from their ``main()``. The node's own signal handlers (not rclpy's)
catch SIGINT and SIGTERM, so the node is closed while ROS is still up: the planner can still tell the robot
to stop before the process exits. When ``BT_PLANNER_PARENT_PID`` is set (children of ``bt-planner launch``
and of the tests), a watchdog timer also stops the node once that parent is gone, so no node outlives a
launcher that was killed.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Protocol

import rclpy
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from bt_planner.ros.processes import PARENT_PID_ENV

PARENT_CHECK_PERIOD_S = 0.5
SPIN_SLICE_S = 0.1
"""Longest time between checks of the stop flag (a signal handler runs only between spin slices)."""


class ClosableNode(Protocol):
    """A node the runtime can spin and, on the way out, close (stop threads, cancel goals)."""

    @property
    def node(self) -> Node: ...

    def close(self) -> None: ...


# A node may also define ``finish(executor)``: called once stopping was requested, with the executor that
# spins it, to end its work cleanly while ROS is still up (the planner publishes CANCELLED "shutdown" and
# sends its action results there).


def watch_parent(node: Node, stop: threading.Event) -> None:
    """Set ``stop`` when the process named by ``BT_PLANNER_PARENT_PID`` is no longer our parent."""
    expected = os.environ.get(PARENT_PID_ENV)
    if not expected or not expected.isdigit():
        return
    parent = int(expected)

    def check() -> None:
        if os.getppid() != parent and not stop.is_set():
            node.get_logger().warning(f"parent process {parent} is gone; shutting down")
            stop.set()

    node.create_timer(PARENT_CHECK_PERIOD_S, check)


def run_node(
    build: Callable[[], ClosableNode],
    *,
    args: Sequence[str] | None = None,
    startup_errors: tuple[type[Exception], ...] = (ValueError, OSError),
) -> int:
    """Init rclpy with ``args`` (default ``sys.argv``), build the node, spin it until stopped, clean up.

    Returns the process exit code: 0 after a normal shutdown, 2 when building the node raised one of
    ``startup_errors`` (bad parameters, unreadable world file, no LLM backend); the reason is printed.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    rclpy.init(args=list(sys.argv if args is None else args), signal_handler_options=SignalHandlerOptions.NO)
    owner: ClosableNode | None = None
    try:
        try:
            owner = build()
        except startup_errors as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        watch_parent(owner.node, stop)
        executor = SingleThreadedExecutor()
        executor.add_node(owner.node)
        try:
            while not stop.is_set() and owner.node.context.ok():
                executor.spin_once(timeout_sec=SPIN_SLICE_S)
            finish = getattr(owner, "finish", None)
            if finish is not None and owner.node.context.ok():
                finish(executor)
        except (KeyboardInterrupt, ExternalShutdownException):
            pass
        finally:
            executor.shutdown(timeout_sec=1.0)
        return 0
    finally:
        if owner is not None:
            owner.close()
            owner.node.destroy_node()
        rclpy.try_shutdown()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
