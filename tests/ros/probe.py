"""``Probe``: an rclpy node inside the test process, on its own context and domain, spinning in a thread.

Tests publish through it and wait for messages with bounded timeouts; a failed wait says what did arrive.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

import rclpy
from geometry_msgs.msg import PoseStamped, Twist
from nav_msgs.msg import Odometry
from pydantic import BaseModel
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import ExternalShutdownException, SingleThreadedExecutor
from rclpy.signals import SignalHandlerOptions
from sensor_msgs.msg import BatteryState, JointState
from std_msgs.msg import Bool, String

from bt_planner.ros import qos
from bt_planner.ros.topics import Topic

MESSAGE_TYPES: dict[str, type[Any]] = {
    "std_msgs/String": String,
    "std_msgs/Bool": Bool,
    "geometry_msgs/PoseStamped": PoseStamped,
    "geometry_msgs/Twist": Twist,
    "nav_msgs/Odometry": Odometry,
    "sensor_msgs/BatteryState": BatteryState,
    "sensor_msgs/JointState": JointState,
}

ModelT = TypeVar("ModelT", bound=BaseModel)
EntityT = TypeVar("EntityT")


class Probe:
    """Publish to and listen on the topics of :mod:`bt_planner.ros.topics` from the test process."""

    def __init__(self, *, domain_id: int) -> None:
        self.context = Context()
        rclpy.init(context=self.context, domain_id=domain_id, signal_handler_options=SignalHandlerOptions.NO)
        self.node = rclpy.create_node("test_probe", context=self.context)
        self.executor = SingleThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self._cond = threading.Condition()
        self._messages: dict[str, list[Any]] = defaultdict(list)
        self._publishers: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._spin, name="ros-probe", daemon=True)
        self._thread.start()

    def _spin(self) -> None:
        with contextlib.suppress(ExternalShutdownException):
            self.executor.spin()

    def on_spin_thread(self, build: Callable[[], EntityT], *, timeout_s: float = 10.0) -> EntityT:
        """``build()`` run by the spinning executor, for entities that are not safe to create beside it.

        rclpy's ``ActionClient`` adds itself to the node before its lock exists, so one created while
        another thread spins can be polled half-built; that kills the spin thread (AttributeError
        ``_lock``) and every later wait on this probe times out.
        """
        built = threading.Event()
        task = self.executor.create_task(build)
        task.add_done_callback(lambda _: built.set())
        if not built.wait(timeout_s):
            raise AssertionError(f"the probe's executor did not run a task within {timeout_s:g} s")
        return task.result()

    def action_client(self, action_type: Any, name: str, **qos_profiles: Any) -> ActionClient[Any, Any, Any]:
        """An rclpy ``ActionClient`` on the probe's node, built on the spin thread (see :meth:`on_spin_thread`)."""
        return self.on_spin_thread(lambda: ActionClient(self.node, action_type, name, **qos_profiles))

    def close(self) -> None:
        self.executor.shutdown(timeout_sec=2.0)
        self.node.destroy_node()
        self.context.try_shutdown()
        self._thread.join(timeout=5.0)

    # ---- listening ------------------------------------------------------------------------------

    def listen(self, *topics: Topic) -> None:
        """Record every message on these topics (with each topic's own QoS)."""
        for topic in topics:
            self.node.create_subscription(
                MESSAGE_TYPES[topic.type], topic.name, self._recorder(topic.name), qos.for_topic(topic)
            )

    def _recorder(self, name: str) -> Callable[[Any], None]:
        def record(msg: Any) -> None:
            with self._cond:
                self._messages[name].append(msg)
                self._cond.notify_all()

        return record

    def messages(self, topic: Topic) -> list[Any]:
        with self._cond:
            return list(self._messages[topic.name])

    def payloads(self, topic: Topic, model: type[ModelT]) -> list[ModelT]:
        """The JSON payloads of a String topic, parsed with ``model``."""
        return [model.model_validate_json(msg.data) for msg in self.messages(topic)]

    def wait_for(
        self,
        topic: Topic,
        predicate: Callable[[Any], bool] = lambda _: True,
        *,
        timeout_s: float = 10.0,
        what: str = "",
        start: int = 0,
    ) -> Any:
        """The first message on ``topic``, counting from the ``start``-th received, that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for msg in self._messages[topic.name][start:]:
                    if predicate(msg):
                        return msg
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = self._messages[topic.name]
                    tail = [getattr(m, "data", m) for m in seen[-5:]]
                    raise AssertionError(
                        f"no {what or 'matching message'} on {topic.name} within {timeout_s:g} s; "
                        f"{len(seen)} message(s) arrived, the last: {tail}"
                    )
                self._cond.wait(remaining)

    def wait_for_payload(
        self, topic: Topic, model: type[ModelT], predicate: Callable[[ModelT], bool], **kwargs: Any
    ) -> ModelT:
        msg = self.wait_for(topic, lambda m: predicate(model.model_validate_json(m.data)), **kwargs)
        return model.model_validate_json(msg.data)

    # ---- publishing -----------------------------------------------------------------------------

    def publish(self, topic: Topic, msg: Any, *, subscribers: int = 1, timeout_s: float = 10.0) -> None:
        """Publish once at least ``subscribers`` subscriptions matched (so a volatile message is not lost)."""
        publisher = self._publishers.get(topic.name)
        if publisher is None:
            publisher = self.node.create_publisher(
                MESSAGE_TYPES[topic.type], topic.name, qos.for_topic(topic)
            )
            self._publishers[topic.name] = publisher
        deadline = time.monotonic() + timeout_s
        while publisher.get_subscription_count() < subscribers:
            if time.monotonic() > deadline:
                raise AssertionError(f"nobody subscribed to {topic.name} within {timeout_s:g} s")
            with self._cond:
                self._cond.wait(0.02)
        publisher.publish(msg)
