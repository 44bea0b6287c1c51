"""Build a :class:`TreeSnapshot` from any live py_trees tree, using only py_trees' public attributes.

Call it after a tick, from the thread that ticks (py_trees trees are not thread-safe). Pass the
``visited`` map of a :class:`py_trees.visitors.SnapshotVisitor` to record exactly which nodes the last
tick reached; without it, every non-INVALID node hanging off non-INVALID parents counts as visited.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import py_trees
from pydantic import JsonValue
from pydantic_core import PydanticSerializationError, to_jsonable_python

from bt_planner.core.state import RobotState
from bt_planner.core.text import safe_text, safe_value
from bt_planner.core.world import World
from bt_planner.plans.plan import Plan
from bt_planner.snapshot.tree_snapshot import (
    BlackboardKey,
    KeyAccess,
    MissionContext,
    NodeKind,
    NodeStatus,
    TreeNode,
    TreeSnapshot,
)

_MAX_REPR = 200


def _kind(behaviour: py_trees.behaviour.Behaviour) -> NodeKind:
    if isinstance(behaviour, py_trees.composites.Sequence):
        return NodeKind.SEQUENCE
    if isinstance(behaviour, py_trees.composites.Selector):
        return NodeKind.SELECTOR
    if isinstance(behaviour, py_trees.composites.Parallel):
        return NodeKind.PARALLEL
    if isinstance(behaviour, py_trees.composites.Composite):
        return NodeKind.COMPOSITE
    if isinstance(behaviour, py_trees.decorators.Decorator):
        return NodeKind.DECORATOR
    return NodeKind.BEHAVIOUR


def _keys(behaviour: py_trees.behaviour.Behaviour) -> list[BlackboardKey]:
    """Keys of every blackboard client attached to the behaviour, as stored (i.e. after remapping)."""
    found: dict[tuple[str, KeyAccess], None] = {}
    for client in behaviour.blackboards:
        remap: Mapping[str, str] = client.remappings
        for access, keys in (
            (KeyAccess.READ, client.read),
            (KeyAccess.WRITE, client.write),
            (KeyAccess.EXCLUSIVE_WRITE, client.exclusive),
        ):
            for key in sorted(keys):
                found[(remap.get(key, key), access)] = None
    return [BlackboardKey(key=key, access=access) for key, access in found]


def _node(behaviour: py_trees.behaviour.Behaviour) -> TreeNode:
    cls = type(behaviour)
    return TreeNode(
        id=str(behaviour.id),
        name=safe_text(behaviour.name),
        class_name=f"{cls.__module__}.{cls.__qualname__}",
        kind=_kind(behaviour),
        status=NodeStatus(behaviour.status.name),
        children=[str(child.id) for child in behaviour.children],
        feedback=safe_text(behaviour.feedback_message or ""),
        blackboard=_keys(behaviour),
    )


def _pre_order(root: py_trees.behaviour.Behaviour) -> list[py_trees.behaviour.Behaviour]:
    ordered: list[py_trees.behaviour.Behaviour] = []
    stack = [root]
    while stack:
        behaviour = stack.pop()
        ordered.append(behaviour)
        stack.extend(reversed(behaviour.children))
    return ordered


def _reached(root: py_trees.behaviour.Behaviour, *, running_only: bool) -> list[str]:
    """Ids of nodes reachable from the root through nodes that are RUNNING (or merely not INVALID)."""

    def counts(behaviour: py_trees.behaviour.Behaviour) -> bool:
        if running_only:
            return bool(behaviour.status == py_trees.common.Status.RUNNING)
        return bool(behaviour.status != py_trees.common.Status.INVALID)

    ids: list[str] = []
    stack = [root] if counts(root) else []
    while stack:
        behaviour = stack.pop()
        ids.append(str(behaviour.id))
        stack.extend(child for child in reversed(behaviour.children) if counts(child))
    return ids


def jsonable(value: Any) -> JsonValue:
    """A JSON-safe form of a blackboard value.

    Models, dataclasses, enums, tuples and the like are converted as pydantic would serialise them;
    anything else (or anything that is not finite JSON) becomes its ``repr``, cut to 200 characters.
    """
    try:
        safe: JsonValue = json.loads(json.dumps(to_jsonable_python(value), allow_nan=False))
    except (PydanticSerializationError, TypeError, ValueError):
        return safe_text(repr(value), max_chars=_MAX_REPR)
    cleaned: JsonValue = safe_value(safe)
    return cleaned


def _blackboard_values(nodes: Iterable[TreeNode]) -> dict[str, JsonValue]:
    storage = py_trees.blackboard.Blackboard.storage
    keys = sorted({entry.key for node in nodes for entry in node.blackboard})
    return {key: jsonable(storage[key]) for key in keys if key in storage}


def capture(
    root: py_trees.behaviour.Behaviour,
    *,
    tick: int = 0,
    visited: Mapping[uuid.UUID, Any] | Iterable[uuid.UUID] | None = None,
    timestamp: float | None = None,
    command: str | None = None,
    plan: Plan | None = None,
    mission: MissionContext | None = None,
    robot: RobotState | None = None,
    world: World | None = None,
    blackboard_values: bool = True,
) -> TreeSnapshot:
    """Snapshot the tree under ``root`` now.

    ``visited`` is a ``SnapshotVisitor.visited`` map (or any iterable of behaviour ids); ``command`` and
    ``plan`` are shorthand for a ``mission`` with just those set (ignored when ``mission`` is given).
    ``blackboard_values=False`` leaves out the values of the keys the tree touches (the keys stay).
    """
    behaviours = _pre_order(root)
    nodes = {str(behaviour.id): _node(behaviour) for behaviour in behaviours}
    if visited is None:
        visited_ids = _reached(root, running_only=False)
    else:
        wanted = {str(behaviour_id) for behaviour_id in visited}
        visited_ids = [node_id for node_id in nodes if node_id in wanted]
    if mission is None and (command is not None or plan is not None):
        mission = MissionContext(
            command=safe_text(command) if command is not None else None,
            plan=plan.to_wire() if plan is not None else None,
        )
    tip = root.tip()
    return TreeSnapshot(
        timestamp=time.time() if timestamp is None else timestamp,
        tick=tick,
        root=str(root.id),
        tip=str(tip.id) if tip is not None and str(tip.id) in nodes else None,
        nodes=nodes,
        visited=visited_ids,
        running_path=_reached(root, running_only=True),
        blackboard=_blackboard_values(nodes.values()) if blackboard_values else {},
        mission=mission,
        robot=robot,
        world=world,
    )
