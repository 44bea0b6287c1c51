"""Where a viewer or watcher gets snapshots from, chosen by a short spec string.

==========================  =====================================================================
``ros`` / ``ros:TOPIC``      the ROS 2 snapshot topic (default ``tree_snapshot``), via the lazily
                             imported adapter ``bt_planner.ros.snapshot_source.RosSnapshotSource``
``http://127.0.0.1:8765``    another ``bt-planner view`` (or ``run --view``) server's event stream
``PATH`` / ``-``             a file (or stdin) of snapshot JSON, one per line: replay a recording
==========================  =====================================================================

In-process producers need no source: they call ``SnapshotHub.publish`` directly.
"""

from __future__ import annotations

from pathlib import Path

from bt_planner.errors import SourceUnavailable
from bt_planner.viewer.sources.event_stream import SseSource
from bt_planner.viewer.sources.json_lines import JsonLinesSource
from bt_planner.viewer.sources.protocol import SnapshotCallback, SnapshotSource

DEFAULT_ROS_TOPIC = "tree_snapshot"


def _ros_source(topic: str) -> SnapshotSource:
    from bt_planner.ros.availability import INSTALL_HINT, ros_available

    if not ros_available():
        raise SourceUnavailable(
            f"{INSTALL_HINT} Or read another viewer's stream: --source http://127.0.0.1:PORT"
        )
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


__all__ = [
    "DEFAULT_ROS_TOPIC",
    "JsonLinesSource",
    "SnapshotCallback",
    "SnapshotSource",
    "SourceUnavailable",
    "SseSource",
    "open_source",
]
