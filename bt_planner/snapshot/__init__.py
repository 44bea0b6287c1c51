"""Tree snapshots: the versioned JSON format viewers, watchers and the ROS snapshot topic share.

``capture(root)`` snapshots any py_trees tree; ``TreeSnapshotter`` does it after every tick of a
``BehaviourTree`` and hands on only real changes; ``to_json``/``from_json`` are the wire codec and
``to_py_trees_js`` converts to the py_trees_js front-end format. Format documentation: ``model``.
"""

from __future__ import annotations

from bt_planner.snapshot.capture import capture, jsonable
from bt_planner.snapshot.change import ChangeDetector, fingerprint, same_content
from bt_planner.snapshot.codec import from_dict, from_json, json_schema, to_dict, to_json
from bt_planner.snapshot.py_trees_js import to_py_trees_js
from bt_planner.snapshot.recorder import SnapshotContext, TreeSnapshotter
from bt_planner.snapshot.tree_snapshot import (
    FORMAT_VERSION,
    BlackboardKey,
    KeyAccess,
    MissionContext,
    NodeKind,
    NodeStatus,
    TreeNode,
    TreeSnapshot,
)

__all__ = [
    "FORMAT_VERSION",
    "BlackboardKey",
    "ChangeDetector",
    "KeyAccess",
    "MissionContext",
    "NodeKind",
    "NodeStatus",
    "SnapshotContext",
    "TreeNode",
    "TreeSnapshot",
    "TreeSnapshotter",
    "capture",
    "fingerprint",
    "from_dict",
    "from_json",
    "json_schema",
    "jsonable",
    "same_content",
    "to_dict",
    "to_json",
    "to_py_trees_js",
]
