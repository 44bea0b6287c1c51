"""``TopicToBlackboard``: a leaf that owns a subscription and keeps the latest message on the blackboard.

The idea is py_trees_ros' ``ToBlackboard``: middleware data enters the tree through leaves at the front of
the tree, so every other behaviour reads plain blackboard values that stay consistent for a whole tick.
Messages are converted in the subscription callback (a malformed one is dropped there, with a warning),
then copied to the blackboard on the next tick. The reception time of the latest message is kept for stale
detection (:meth:`TopicToBlackboard.age_s`) but not written to the blackboard, so idle snapshots stay equal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import py_trees
from pydantic import ValidationError
from rclpy.node import Node
from rclpy.qos import QoSProfile
from rclpy.subscription import Subscription

ValueT = TypeVar("ValueT")


class TopicToBlackboard(py_trees.behaviour.Behaviour, Generic[ValueT]):
    """Latest ``topic_type`` message on ``topic_name``, converted, written to ``blackboard_key``.

    Lifecycle:

    * ``setup(node=...)``: subscribes on the given rclpy node (raises ``KeyError`` without one).
    * ``initialise()``: nothing; data is kept across runs.
    * ``update()``: writes the newest converted message, if one arrived since the last tick. RUNNING until
      the first message ever (feedback: waiting), then SUCCESS (feedback: the data's age).
    * ``terminate()``: nothing; the subscription stays, so no message is missed between runs.
    * ``shutdown()``: destroys the subscription.

    Blackboard: WRITE ``blackboard_key``.
    """

    def __init__(
        self,
        name: str,
        *,
        topic_name: str,
        topic_type: type[Any],
        qos_profile: QoSProfile,
        blackboard_key: str,
        convert: Callable[[Any], ValueT],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(name=name)
        self.topic_name = topic_name
        self.topic_type = topic_type
        self.qos_profile = qos_profile
        self.blackboard_key = blackboard_key
        self.convert = convert
        self.clock = clock
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=blackboard_key, access=py_trees.common.Access.WRITE)
        self._lock = threading.Lock()
        self._latest: ValueT | None = None
        self._received_at: float | None = None
        self._fresh = False
        self._node: Node | None = None
        self._subscription: Subscription[Any] | None = None

    # ---- lifecycle ------------------------------------------------------------------------------

    def setup(self, **kwargs: Any) -> None:
        try:
            node = kwargs["node"]
        except KeyError as error:
            raise KeyError(f"{self.qualified_name}: setup() needs node=<rclpy.node.Node>") from error
        self._node = node
        self._subscription = node.create_subscription(
            self.topic_type, self.topic_name, self._on_message, self.qos_profile
        )

    def update(self) -> py_trees.common.Status:
        with self._lock:
            value, received_at, fresh = self._latest, self._received_at, self._fresh
            self._fresh = False
        if received_at is None:
            self.feedback_message = f"waiting for the first message on {self.topic_name}"
            return py_trees.common.Status.RUNNING
        if fresh:
            self.blackboard.set(self.blackboard_key, value, overwrite=True)
        self.feedback_message = f"{self.topic_name} → {self.blackboard_key}"
        return py_trees.common.Status.SUCCESS

    def shutdown(self) -> None:
        if self._subscription is not None and self._node is not None:
            self._node.destroy_subscription(self._subscription)
        self._subscription = None

    # ---- data -----------------------------------------------------------------------------------

    def received(self) -> bool:
        """Whether any message has arrived yet."""
        with self._lock:
            return self._received_at is not None

    def age_s(self) -> float:
        """Seconds since the latest message arrived (``inf`` before the first)."""
        with self._lock:
            received_at = self._received_at
        return float("inf") if received_at is None else max(0.0, self.clock() - received_at)

    def latest(self) -> ValueT | None:
        """The newest converted value, straight from the subscription (any thread)."""
        with self._lock:
            return self._latest

    def _on_message(self, msg: Any) -> None:
        try:
            value = self.convert(msg)
        except (ValidationError, ValueError, TypeError) as error:
            if self._node is not None:
                self._node.get_logger().warning(
                    f"dropped a malformed message on {self.topic_name}: {error}", throttle_duration_sec=5.0
                )
            return
        with self._lock:
            self._latest = value
            self._received_at = self.clock()
            self._fresh = True
