"""Convert our snapshot to the tree format py_trees_js front ends render.

That format (from the py_trees_js README's JSON specification) is::

    {"timestamp": float,
     "behaviours": {"<id>": {"id", "status", "name", "colour", "children", "details", "data"}},
     "visited_path": ["<id>", ...],
     "blackboard": {"behaviours": {"<id>": {"<key>": "r" | "w" | "x"}}, "data": {"<key>": "<text>"}}}

Colours follow the usual py_trees convention per node kind; ``data`` carries class, kind, feedback and
the mission fields a py_trees_js tooltip can show.
"""

from __future__ import annotations

import json
from typing import Any

from bt_planner.snapshot.tree_snapshot import KeyAccess, NodeKind, TreeNode, TreeSnapshot

KIND_COLOURS: dict[NodeKind, str] = {
    NodeKind.SEQUENCE: "#FFA500",
    NodeKind.SELECTOR: "#00FFFF",
    NodeKind.PARALLEL: "#FFFF00",
    NodeKind.COMPOSITE: "#FFD700",
    NodeKind.DECORATOR: "#DDDDDD",
    NodeKind.BEHAVIOUR: "#555555",
}

_ACCESS_LETTER: dict[KeyAccess, str] = {
    KeyAccess.READ: "r",
    KeyAccess.WRITE: "w",
    KeyAccess.EXCLUSIVE_WRITE: "x",
}


def _behaviour(node: TreeNode) -> dict[str, Any]:
    data: dict[str, str] = {"Class": node.class_name, "Kind": node.kind.value}
    if node.feedback:
        data["Feedback"] = node.feedback
    if node.blackboard:
        data["Blackboard"] = ", ".join(f"{entry.key} ({entry.access.value})" for entry in node.blackboard)
    return {
        "id": node.id,
        "status": node.status.value,
        "name": node.name,
        "colour": KIND_COLOURS[node.kind],
        "children": list(node.children),
        "details": node.feedback,
        "data": data,
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def to_py_trees_js(snapshot: TreeSnapshot) -> dict[str, Any]:
    """The snapshot as a py_trees_js tree (JSON-ready); the mission, robot and world are not part of it."""
    key_access: dict[str, dict[str, str]] = {}
    for node in snapshot.nodes.values():
        if node.blackboard:
            key_access[node.id] = {entry.key: _ACCESS_LETTER[entry.access] for entry in node.blackboard}
    tree: dict[str, Any] = {
        "timestamp": snapshot.timestamp,
        "behaviours": {node_id: _behaviour(node) for node_id, node in snapshot.nodes.items()},
        "visited_path": list(snapshot.visited),
        "blackboard": {
            "behaviours": key_access,
            "data": {key: _text(value) for key, value in snapshot.blackboard.items()},
        },
    }
    return tree
