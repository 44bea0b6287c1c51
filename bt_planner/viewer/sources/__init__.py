"""Where a viewer or watcher gets snapshots from, chosen by a short spec string.

==========================  =====================================================================
``ros`` / ``ros:TOPIC``      the ROS 2 snapshot topic (default ``tree_snapshot``), via the lazily
                             imported adapter ``bt_planner.ros.snapshot_source.RosSnapshotSource``
``http://127.0.0.1:8765``    another ``bt-planner view`` (or ``run --view``) server's event stream
``PATH`` / ``-``             a file (or stdin) of snapshot JSON, one per line: replay a recording
==========================  =====================================================================

A fleet viewer reads several robots at once: :func:`open_fleet_source` subscribes to
``/<robot>/tree_snapshot`` for each robot named, and can discover the rest on the ROS graph.

In-process producers need no source: they call ``SnapshotHub.publish`` directly.
"""

from __future__ import annotations

from pathlib import Path

from bt_planner.errors import SourceUnavailable
from bt_planner.viewer.fleet_hubs import valid_robot_name
from bt_planner.viewer.sources.event_stream import SseSource
from bt_planner.viewer.sources.json_lines import JsonLinesSource
from bt_planner.viewer.sources.protocol import (
    FleetSource,
    RobotSnapshotCallback,
    SnapshotCallback,
    SnapshotSource,
)

DEFAULT_ROS_TOPIC = "tree_snapshot"


def _require_ros() -> None:
    from bt_planner.ros.availability import INSTALL_HINT, ros_available

    if not ros_available():
        raise SourceUnavailable(
            f"{INSTALL_HINT} Or read another viewer's stream: --source http://127.0.0.1:PORT"
        )


def _ros_source(topic: str) -> SnapshotSource:
    _require_ros()
    from bt_planner.ros.snapshot_source import RosSnapshotSource  # imports rclpy: only when asked for

    return RosSnapshotSource(topic=topic)


def open_source(spec: str, *, replay_interval: float = 0.0) -> SnapshotSource:
    """The source a spec names (see the module docs); ``SourceUnavailable`` if it cannot be opened.

    ``replay_interval`` paces a file replay (seconds between snapshots); other sources ignore it.
    """
    if spec == "ros" or spec.startswith("ros:"):
        topic = spec.partition(":")[2] or DEFAULT_ROS_TOPIC
        return _ros_source(topic)
    if spec.startswith(("http://", "https://")):
        return SseSource(spec)
    if spec == "-":
        return JsonLinesSource(None, interval=replay_interval)
    path = Path(spec)
    if not path.is_file():
        raise SourceUnavailable(
            f"no such snapshot file: {spec} (sources: ros, ros:TOPIC, http://HOST:PORT, FILE, -)"
        )
    return JsonLinesSource(path, interval=replay_interval)


def open_fleet_source(robots: list[str], *, discover: bool = False) -> FleetSource:
    """Every named robot's ROS snapshots (``/<robot>/tree_snapshot``), and with ``discover`` every
    namespace found publishing them; ``SourceUnavailable`` without ROS, ``ValueError`` for a bad name.
    """
    bad = [robot for robot in robots if not valid_robot_name(robot.strip("/"))]
    if bad:
        raise ValueError(
            f"robot name(s) {', '.join(map(repr, bad))}: a robot is its ROS namespace "
            "(a letter, then letters, digits, _ or /), e.g. robot1"
        )
    if not robots and not discover:
        raise ValueError("name at least one robot (--robot NAME) or discover them (--discover)")
    _require_ros()
    from bt_planner.ros.fleet_snapshot_source import FleetSnapshotSource  # imports rclpy: only when asked for

    return FleetSnapshotSource(robots=robots, discover=discover)


__all__ = [
    "DEFAULT_ROS_TOPIC",
    "FleetSource",
    "JsonLinesSource",
    "RobotSnapshotCallback",
    "SnapshotCallback",
    "SnapshotSource",
    "SourceUnavailable",
    "SseSource",
    "open_fleet_source",
    "open_source",
]
