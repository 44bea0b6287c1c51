"""The tree snapshot format (version 1): one behaviour tree's state after a tick, plus the mission around it.

This is the JSON the ROS snapshot topic carries, the viewer renders and ``bt-planner watch`` prints.
A bare tree is a valid snapshot: ``mission``, ``robot`` and ``world`` are optional.

Shape (JSON keys)::

    {"version": 1, "timestamp": 1718000000.5, "tick": 42, "root": "<id>", "tip": "<id>",
     "nodes": {"<id>": {"id": "<id>", "name": "Pick up red_cup", "class": "bt_planner.tree.Grasp",
                        "kind": "behaviour", "status": "RUNNING", "children": [],
                        "feedback": "closing gripper",
                        "blackboard": [{"key": "/robot/state", "access": "read"}]}},
     "visited": ["<id>", ...], "running_path": ["<id>", ...],
     "blackboard": {"/robot/state": {...}},
     "mission": {"command": "...", "plan": {<Plan wire format>}, "status": "EXECUTING",
                 "details": "...", "action_index": 2, "attempt": 1},
     "robot": {<RobotState>}, "world": {<World>}}

``nodes`` is in depth-first order from the root; node ids are the py_trees behaviour uuids as strings,
stable for the life of the tree. ``visited`` lists the nodes ticked in the latest tick; ``running_path``
the RUNNING nodes reachable from the root through RUNNING parents (root first).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from bt_planner.core.state import RobotState
from bt_planner.core.world import World

FORMAT_VERSION = 1
"""Bumped on any change an old reader would misread; readers reject versions they do not know."""


class NodeStatus(str, Enum):
    """A behaviour's status, spelled as py_trees spells ``common.Status`` names."""

    INVALID = "INVALID"
    RUNNING = "RUNNING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"


class NodeKind(str, Enum):
    """What sort of node this is, so viewers can draw composites and decorators apart from leaves."""

    SEQUENCE = "sequence"
    SELECTOR = "selector"
    PARALLEL = "parallel"
    COMPOSITE = "composite"
    DECORATOR = "decorator"
    BEHAVIOUR = "behaviour"


class KeyAccess(str, Enum):
    """How a behaviour's blackboard client touches a key."""

    READ = "read"
    WRITE = "write"
    EXCLUSIVE_WRITE = "exclusive_write"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BlackboardKey(_Frozen):
    """One blackboard key (absolute, after remapping) a behaviour reads or writes."""

    key: str
    access: KeyAccess


class TreeNode(BaseModel):
    """One behaviour. ``class_name`` is serialised as ``"class"`` (the fully qualified Python class)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, serialize_by_alias=True)

    id: str
    name: str
    class_name: str = Field(alias="class")
    kind: NodeKind = NodeKind.BEHAVIOUR
    status: NodeStatus = NodeStatus.INVALID
    children: list[str] = Field(default_factory=list)
    feedback: str = ""
    blackboard: list[BlackboardKey] = Field(default_factory=list)


class MissionContext(_Frozen):
    """What the tree is for: the command, its plan (wire format) and how the mission stands.

    ``status`` uses the planner-status vocabulary of the ROS node (RECEIVED_COMMAND, PLANNING_STARTED,
    PLANNING_SUCCESS, PLANNING_FAILED, EXECUTING, SUCCEEDED, FAILED, CANCELLED) but is a plain string so a
    reader never rejects a snapshot over a status it does not know. ``plan`` is ``Plan.to_wire()``; it is
    kept as JSON so snapshots with custom actions read without the custom-action registry.
    """

    command: str | None = None
    plan: dict[str, JsonValue] | None = None
    status: str | None = None
    details: str = ""
    action_index: int | None = Field(default=None, ge=0, description="index of the plan step running now")
    attempt: int = Field(default=1, ge=1, description="1 for the first plan, +1 per re-plan")


class TreeSnapshot(_Frozen):
    """A versioned snapshot of one tree (and optionally its mission, robot and world) after a tick."""

    version: Literal[1] = 1
    timestamp: float = Field(description="seconds since the Unix epoch when the snapshot was taken")
    tick: int = Field(default=0, ge=0, description="how many times the tree has been ticked")
    root: str | None = Field(default=None, description="id of the root node; None for an empty tree")
    tip: str | None = Field(default=None, description="id of the deepest running/last-ticked node")
    nodes: dict[str, TreeNode] = Field(default_factory=dict)
    visited: list[str] = Field(default_factory=list)
    running_path: list[str] = Field(default_factory=list)
    blackboard: dict[str, JsonValue] = Field(
        default_factory=dict, description="values of the keys the tree touches (JSON, or repr strings)"
    )
    mission: MissionContext | None = None
    robot: RobotState | None = None
    world: World | None = None

    @model_validator(mode="after")
    def _ids_resolve(self) -> TreeSnapshot:
        known = self.nodes.keys()
        if self.root is not None and self.root not in known:
            raise ValueError(f"root {self.root!r} is not a node")
        if self.tip is not None and self.tip not in known:
            raise ValueError(f"tip {self.tip!r} is not a node")
        for node_id, node in self.nodes.items():
            if node.id != node_id:
                raise ValueError(f"node keyed {node_id!r} has id {node.id!r}")
            missing = [child for child in node.children if child not in known]
            if missing:
                raise ValueError(f"node {node_id!r} has unknown children {missing}")
        for field_name in ("visited", "running_path"):
            stray = [node_id for node_id in getattr(self, field_name) if node_id not in known]
            if stray:
                raise ValueError(f"{field_name} names unknown nodes {stray}")
        return self

    def node_by_name(self, name: str) -> TreeNode:
        """The first node (depth-first) with this name; ``KeyError`` if none."""
        for node in self.nodes.values():
            if node.name == name:
                return node
        raise KeyError(name)

    def depth_first(self) -> list[tuple[int, TreeNode]]:
        """(depth, node) pairs from the root, children in order: the order a tree view prints."""
        ordered: list[tuple[int, TreeNode]] = []
        if self.root is None:
            return ordered
        stack: list[tuple[int, str]] = [(0, self.root)]
        seen: set[str] = set()
        while stack:
            depth, node_id = stack.pop()
            if node_id in seen:  # a malformed snapshot with a cycle or shared child
                continue
            seen.add(node_id)
            node = self.nodes[node_id]
            ordered.append((depth, node))
            stack.extend((depth + 1, child) for child in reversed(node.children))
        return ordered

    def without_volatile(self) -> dict[str, Any]:
        """The snapshot as JSON data minus what changes every tick without meaning a change.

        Dropped: ``timestamp``, ``tick`` and the robot state's ``timestamp``. Two snapshots whose results
        are equal show the same thing, so publishers skip the second.
        """
        data = self.model_dump(mode="json", by_alias=True, exclude={"timestamp", "tick"})
        if isinstance(data.get("robot"), dict):
            data["robot"].pop("timestamp", None)
        return data
