"""QoS profiles, one per kind of topic (see :class:`bt_planner.ros.topics.QosKind` for the why).

* command: reliable + volatile, depth 10. Commands and goals must arrive; a node that starts later must
  not act on an old one.
* command_queue: as command, depth 1000: a burst of commands on ``robot_command`` is queued, not dropped.
* status: as latched_history, depth 1000: ``planner_status`` keeps every command's statuses through a burst.
* latched: reliable + transient local, depth 1. Plans, snapshots, e-stop and world state: a late
  subscriber (a viewer started after the mission) gets the current value immediately.
* latched_history: reliable + transient local, depth 20. Status streams: back-to-back transitions
  (RECEIVED_COMMAND, PLANNING_STARTED) are both delivered, and a late joiner sees the recent ones.
* sensor: best effort + volatile, depth 5 (rclpy's sensor-data preset). High-rate robot state, where a
  retransmitted old sample is worth less than the next fresh one. Subscribers must use it too: a
  reliable subscriber does not match a best-effort publisher.
"""

from __future__ import annotations

from rclpy.qos import (
    QoSDurabilityPolicy,
    QoSHistoryPolicy,
    QoSProfile,
    QoSReliabilityPolicy,
    qos_profile_sensor_data,
)

from bt_planner.ros.topics import QosKind, Topic

COMMAND = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=10,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.VOLATILE,
)
LATCHED = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=1,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL,
)
LATCHED_HISTORY = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=20,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL,
)
COMMAND_QUEUE = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=1000,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.VOLATILE,
)
STATUS = QoSProfile(
    history=QoSHistoryPolicy.KEEP_LAST,
    depth=1000,
    reliability=QoSReliabilityPolicy.RELIABLE,
    durability=QoSDurabilityPolicy.TRANSIENT_LOCAL,
)
SENSOR: QoSProfile = qos_profile_sensor_data

_BY_KIND: dict[QosKind, QoSProfile] = {
    QosKind.COMMAND: COMMAND,
    QosKind.COMMAND_QUEUE: COMMAND_QUEUE,
    QosKind.STATUS: STATUS,
    QosKind.LATCHED: LATCHED,
    QosKind.LATCHED_HISTORY: LATCHED_HISTORY,
    QosKind.SENSOR: SENSOR,
}


def profile(kind: QosKind) -> QoSProfile:
    """The profile for a kind of topic."""
    return _BY_KIND[kind]


def for_topic(topic: Topic) -> QoSProfile:
    """The profile the topic table assigns to ``topic``; publishers and subscribers both use it."""
    return _BY_KIND[topic.qos]
