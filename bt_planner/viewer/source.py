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

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from bt_planner.snapshot import TreeSnapshot

SnapshotCallback = Callable[[TreeSnapshot], object]

ROS_ADAPTER_MODULE = "bt_planner.ros.snapshot_source"
"""Module the ROS adapter lives in; it must define ``RosSnapshotSource(*, topic: str)``."""
DEFAULT_ROS_TOPIC = "tree_snapshot"


@runtime_checkable
class SnapshotSource(Protocol):
    """Delivers snapshots to a callback from its own thread until stopped.

    ``start`` returns promptly; ``on_snapshot`` is called once per snapshot received (from any thread);
    ``stop`` ends delivery and releases resources, and may be called more than once.
    """

    @property
    def description(self) -> str:
        """Where the snapshots come from, for the user (e.g. ``ROS topic /tree_snapshot``)."""
        ...

    def start(self, on_snapshot: SnapshotCallback) -> None: ...

    def stop(self) -> None: ...


class SourceUnavailable(RuntimeError):
    """The requested source cannot be opened here; the message says why and what to do."""


def _ros_source(topic: str) -> SnapshotSource:
    from bt_planner.ros.availability import INSTALL_HINT, ros_available

    if not ros_available():
        raise SourceUnavailable(
            f"{INSTALL_HINT} Or read another viewer's stream: --source http://127.0.0.1:PORT"
        )
    try:
        module = importlib.import_module(ROS_ADAPTER_MODULE)
    except ModuleNotFoundError as error:
        raise SourceUnavailable(f"the ROS snapshot adapter is missing ({error})") from error
    factory: Callable[..., SnapshotSource] = module.RosSnapshotSource
    return factory(topic=topic)


def open_source(spec: str, *, replay_interval: float = 0.0) -> SnapshotSource:
    """The source a spec names (see the module docs); ``SourceUnavailable`` if it cannot be opened.

    ``replay_interval`` paces a file replay (seconds between snapshots); other sources ignore it.
    """
    from bt_planner.viewer.file_source import JsonLinesSource
    from bt_planner.viewer.sse_source import SseSource

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
