"""py_trees_ros' snapshot-stream protocol, served for the planner's mission tree.

Tools written for py_trees_ros (``py-trees-tree-watcher``, ``py-trees-tree-viewer``) attach to a tree by
calling ``<node>/snapshot_streams/open`` (``py_trees_ros_interfaces/srv/OpenSnapshotStream``), which
answers with a topic; the tree then publishes ``py_trees_ros_interfaces/msg/BehaviourTree`` there
(reliable, transient local, keep last 1) after each tick that changed the tree, and at least every
``snapshot_period`` seconds. ``.../reconfigure`` changes a stream's parameters and ``.../close`` ends it.

Topic names follow py_trees_ros: empty → ``~/snapshot_streams/_snapshots_N``; relative → under
``~/snapshot_streams/``; ``~/...`` and absolute names as given. ``blackboard_data`` adds the blackboard
keys of the visited behaviours; ``blackboard_activity`` is accepted but no activity is sent (the mission
does not record a blackboard activity stream).
"""

from __future__ import annotations

import itertools
import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import py_trees
from diagnostic_msgs.msg import KeyValue as DiagnosticKeyValue
from py_trees_ros_interfaces.msg import Behaviour as BehaviourMsg
from py_trees_ros_interfaces.msg import BehaviourTree as BehaviourTreeMsg
from py_trees_ros_interfaces.msg import KeyValue
from py_trees_ros_interfaces.srv import CloseSnapshotStream, OpenSnapshotStream, ReconfigureSnapshotStream
from rclpy.expand_topic_name import expand_topic_name
from rclpy.node import Node
from rclpy.qos import QoSDurabilityPolicy, QoSHistoryPolicy, QoSProfile, QoSReliabilityPolicy
from unique_identifier_msgs.msg import UUID

from bt_planner.core.text import safe_text

LATCHED = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=1,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL,
    reliability=QoSReliabilityPolicy.RELIABLE,
)
MAX_MESSAGE_CHARS = 1_000
"""Longest feedback message or blackboard value put into a snapshot."""
_ZERO = UUID(uuid=[0] * 16)
_STATUS = {
    py_trees.common.Status.INVALID: BehaviourMsg.INVALID,
    py_trees.common.Status.RUNNING: BehaviourMsg.RUNNING,
    py_trees.common.Status.SUCCESS: BehaviourMsg.SUCCESS,
    py_trees.common.Status.FAILURE: BehaviourMsg.FAILURE,
}
_ACCESS = {
    py_trees.common.Access.READ: BehaviourMsg.BLACKBOARD_ACCESS_READ,
    py_trees.common.Access.WRITE: BehaviourMsg.BLACKBOARD_ACCESS_WRITE,
    py_trees.common.Access.EXCLUSIVE_WRITE: BehaviourMsg.BLACKBOARD_ACCESS_EXCLUSIVE_WRITE,
}


def _uuid(value: uuid.UUID | None) -> UUID:
    return UUID(uuid=list(value.bytes)) if value is not None else _ZERO


def _kind(behaviour: py_trees.behaviour.Behaviour) -> int:
    if isinstance(behaviour, py_trees.composites.Sequence):
        return int(BehaviourMsg.SEQUENCE)
    if isinstance(behaviour, py_trees.composites.Selector):
        return int(BehaviourMsg.SELECTOR)
    if isinstance(behaviour, py_trees.composites.Parallel):
        return int(BehaviourMsg.PARALLEL)
    if isinstance(behaviour, py_trees.decorators.Decorator):
        return int(BehaviourMsg.DECORATOR)
    return int(BehaviourMsg.BEHAVIOUR)


def _detail(behaviour: py_trees.behaviour.Behaviour) -> str:
    if isinstance(behaviour, py_trees.composites.Parallel):
        return type(behaviour.policy).__name__.replace("Success", "")
    if (
        isinstance(behaviour, py_trees.composites.Sequence | py_trees.composites.Selector)
        and behaviour.memory
    ):
        return "WithMemory"
    return ""


def behaviour_to_msg(behaviour: py_trees.behaviour.Behaviour, *, active: bool, root: bool = False) -> Any:
    """One behaviour as a ``py_trees_ros_interfaces/msg/Behaviour`` (``root``: the snapshot's root, no parent)."""
    tip = behaviour.tip()
    current = getattr(behaviour, "current_child", None)
    access = [
        KeyValue(key=key, value=_ACCESS[mode])
        for client in behaviour.blackboards
        for mode, keys in (
            (py_trees.common.Access.READ, client.read),
            (py_trees.common.Access.WRITE, client.write),
            (py_trees.common.Access.EXCLUSIVE_WRITE, client.exclusive),
        )
        for key in sorted(keys)
    ]
    return BehaviourMsg(
        name=safe_text(behaviour.name, max_chars=MAX_MESSAGE_CHARS),
        class_name=f"{type(behaviour).__module__}.{type(behaviour).__qualname__}",
        own_id=_uuid(behaviour.id),
        parent_id=_uuid(behaviour.parent.id if behaviour.parent is not None and not root else None),
        tip_id=_uuid(tip.id if tip is not None and tip is not behaviour else None),
        child_ids=[_uuid(child.id) for child in behaviour.children],
        current_child_id=_uuid(current.id if current is not None else None),
        type=_kind(behaviour),
        additional_detail=_detail(behaviour),
        blackbox_level=int(behaviour.blackbox_level.value),
        status=_STATUS[behaviour.status],
        message=safe_text(behaviour.feedback_message or "", max_chars=MAX_MESSAGE_CHARS),
        is_active=active,
        blackboard_access=access,
    )


@dataclass
class _Stream:
    topic: str
    publisher: Any
    period_s: float
    blackboard_data: bool
    last_published: float | None = None


class SnapshotStreams:
    """The ``~/snapshot_streams/{open,close,reconfigure}`` services and the streams they opened."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._streams: dict[str, _Stream] = {}
        self._counter = itertools.count()
        self._ticks = 0
        node.create_service(OpenSnapshotStream, "~/snapshot_streams/open", self._open)
        node.create_service(CloseSnapshotStream, "~/snapshot_streams/close", self._close)
        node.create_service(ReconfigureSnapshotStream, "~/snapshot_streams/reconfigure", self._reconfigure)

    def _expand(self, hint: str) -> str:
        if not hint:
            hint = f"~/snapshot_streams/_snapshots_{next(self._counter)}"
        elif not hint.startswith(("~", "/")):
            hint = f"~/snapshot_streams/{hint}"
        return str(expand_topic_name(hint, self.node.get_name(), self.node.get_namespace()))

    def _open(self, request: Any, response: Any) -> Any:
        topic = self._expand(str(request.topic_name))
        if topic not in self._streams:
            publisher = self.node.create_publisher(BehaviourTreeMsg, topic, LATCHED)
            self._streams[topic] = _Stream(
                topic=topic, publisher=publisher, period_s=math.inf, blackboard_data=False
            )
        self._configure(self._streams[topic], request.parameters)
        response.topic_name = topic
        return response

    def _close(self, request: Any, response: Any) -> Any:
        stream = self._streams.pop(str(request.topic_name), None)
        if stream is not None:
            self.node.destroy_publisher(stream.publisher)
        response.result = stream is not None
        return response

    def _reconfigure(self, request: Any, response: Any) -> Any:
        stream = self._streams.get(str(request.topic_name))
        if stream is not None:
            self._configure(stream, request.parameters)
        response.result = stream is not None
        return response

    @staticmethod
    def _configure(stream: _Stream, parameters: Any) -> None:
        period = float(parameters.snapshot_period)
        stream.period_s = period if period > 0 and not math.isnan(period) else math.inf
        stream.blackboard_data = bool(parameters.blackboard_data)

    @property
    def topics(self) -> list[str]:
        return list(self._streams)

    def publish(self, root: py_trees.behaviour.Behaviour, visitor: py_trees.visitors.SnapshotVisitor) -> None:
        """After a tick: publish on every stream that is due (the tree changed, or its period passed)."""
        self._ticks += 1
        if not self._streams:
            return
        now = time.monotonic()
        due = [
            s
            for s in self._streams.values()
            if s.last_published is None or visitor.changed or now - s.last_published >= 0.98 * s.period_s
        ]
        if not due:
            return
        behaviours = [
            behaviour_to_msg(b, active=b.id in visitor.visited, root=b is root) for b in root.iterate()
        ]
        for stream in due:
            msg = BehaviourTreeMsg(
                behaviours=behaviours, changed=visitor.changed or stream.last_published is None
            )
            msg.statistics.count = self._ticks
            msg.statistics.stamp = self.node.get_clock().now().to_msg()
            if stream.blackboard_data:
                msg.blackboard_on_visited_path = self._blackboard(visitor)
            stream.publisher.publish(msg)
            stream.last_published = now

    @staticmethod
    def _blackboard(visitor: py_trees.visitors.SnapshotVisitor) -> list[Any]:
        keys = py_trees.blackboard.Blackboard.keys_filtered_by_clients(
            client_ids=visitor.visited_blackboard_client_ids
        )
        values = []
        for key in sorted(keys):
            try:
                value = str(py_trees.blackboard.Blackboard.get(key))
            except KeyError:
                value = "-"
            values.append(DiagnosticKeyValue(key=key, value=safe_text(value, max_chars=MAX_MESSAGE_CHARS)))
        return values
