"""Live tree inspection without Qt: a local web page (``bt-planner view``) and a terminal watcher.

In-process use (what ``bt-planner run --view`` does)::

    with ViewerServer(port=8765) as viewer:          # http://127.0.0.1:8765/
        TreeSnapshotter(tree, publish=viewer.publish, context=...)
        ...tick the tree...

Other processes feed it through a :class:`SnapshotSource` (``open_source("ros")``, an
``http://`` event stream, or a JSON-lines file). Nothing here imports rclpy.
"""

from __future__ import annotations

from bt_planner.errors import SourceUnavailable
from bt_planner.viewer.hub import SnapshotHub, Update
from bt_planner.viewer.server import DEFAULT_PORT, HOST, ViewerServer
from bt_planner.viewer.sources import SnapshotSource, open_source

__all__ = [
    "DEFAULT_PORT",
    "HOST",
    "SnapshotHub",
    "SnapshotSource",
    "SourceUnavailable",
    "Update",
    "ViewerServer",
    "open_source",
]
