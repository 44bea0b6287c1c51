"""The snapshot as a rich renderable: a unicode tree in the spirit of ``py_trees.display.unicode_tree``.

Composites carry py_trees' markers (``[-]`` sequence, ``[o]`` selector, ``/_/`` parallel, ``-^-``
decorator, ``-->`` leaf) and each node its status mark (✓ success, ✕ failure, * running, - not ticked)
and feedback message. The running path is bold, nodes the last tick did not reach are dim.
"""

from __future__ import annotations

import json
import math
import time

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from bt_planner.snapshot import KeyAccess, NodeKind, NodeStatus, TreeNode, TreeSnapshot

KIND_MARKERS: dict[NodeKind, str] = {
    NodeKind.SEQUENCE: "[-]",
    NodeKind.SELECTOR: "[o]",
    NodeKind.PARALLEL: "/_/",
    NodeKind.COMPOSITE: "[?]",
    NodeKind.DECORATOR: "-^-",
    NodeKind.BEHAVIOUR: "-->",
}
STATUS_MARKS: dict[NodeStatus, tuple[str, str]] = {
    NodeStatus.SUCCESS: ("✓", "green"),
    NodeStatus.FAILURE: ("✕", "red"),
    NodeStatus.RUNNING: ("*", "blue"),
    NodeStatus.INVALID: ("-", "bright_black"),
}
_ACCESS = {KeyAccess.READ: "r", KeyAccess.WRITE: "w", KeyAccess.EXCLUSIVE_WRITE: "x"}
_MISSION_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "PLANNING_FAILED": "red",
    "CANCELLED": "bright_black",
}


def node_label(node: TreeNode, *, on_path: bool, visited: bool, show_keys: bool = True) -> Text:
    """One line: marker, name, status mark, feedback and (optionally) blackboard keys."""
    mark, colour = STATUS_MARKS[node.status]
    label = Text()
    label.append(f"{KIND_MARKERS[node.kind]} ", style="bold" if node.kind is not NodeKind.BEHAVIOUR else "")
    label.append(node.name, style="bold" if on_path else ("" if visited else "dim"))
    label.append(" [")
    label.append(mark, style=colour)
    label.append("]")
    if node.feedback:
        label.append(f" -- {node.feedback}", style="italic")
    if show_keys and node.blackboard:
        keys = ", ".join(f"{_ACCESS[entry.access]} {entry.key}" for entry in node.blackboard)
        label.append(f"  {{{keys}}}", style="dim magenta")
    return label


def tree_view(snapshot: TreeSnapshot, *, show_keys: bool = True) -> Tree | Text:
    """The behaviour tree as a rich ``Tree`` (or a note when the snapshot has none)."""
    if snapshot.root is None:
        return Text("(empty tree)", style="dim")
    on_path = set(snapshot.running_path)
    visited = set(snapshot.visited)

    def label(node: TreeNode) -> Text:
        return node_label(node, on_path=node.id in on_path, visited=node.id in visited, show_keys=show_keys)

    root_node = snapshot.nodes[snapshot.root]
    view = Tree(label(root_node), guide_style="bright_black")
    stack: list[tuple[Tree, TreeNode]] = [(view, root_node)]
    seen = {root_node.id}
    while stack:
        branch, node = stack.pop()
        for child_id in node.children:
            if child_id in seen:
                continue
            seen.add(child_id)
            child = snapshot.nodes[child_id]
            stack.append((branch.add(label(child)), child))
    return view


def header(snapshot: TreeSnapshot) -> Text:
    """Command, mission status and tick on one line."""
    line = Text()
    mission = snapshot.mission
    if mission is not None and mission.command:
        line.append(f"{mission.command}  ", style="bold")
    if mission is not None and mission.status:
        line.append(mission.status, style=_MISSION_STYLES.get(mission.status, "blue"))
        if mission.details:
            line.append(f" ({mission.details})")
        line.append("  ")
    clock = time.strftime("%H:%M:%S", time.localtime(snapshot.timestamp))
    line.append(f"tick {snapshot.tick} at {clock}", style="dim")
    return line


def robot_line(snapshot: TreeSnapshot) -> Text | None:
    robot = snapshot.robot
    if robot is None:
        return None
    pose = robot.pose
    holding = f", holding {robot.holding}" if robot.holding else ""
    return Text(
        f"robot ({pose.x:.2f}, {pose.y:.2f}) m, heading {math.degrees(pose.yaw):.0f}°, "
        f"battery {robot.battery_percent:.0f}%, gripper {robot.gripper.value}{holding}",
        style="dim",
    )


def blackboard_table(snapshot: TreeSnapshot) -> Table:
    table = Table("key", "value", title="blackboard", title_justify="left", show_edge=False)
    for key, value in snapshot.blackboard.items():
        table.add_row(key, Text(value if isinstance(value, str) else json.dumps(value)))
    return table


def render(
    snapshot: TreeSnapshot, *, show_keys: bool = True, show_blackboard: bool = False
) -> RenderableType:
    """Header, tree, robot line and (optionally) the blackboard, stacked."""
    parts: list[RenderableType] = [header(snapshot), tree_view(snapshot, show_keys=show_keys)]
    robot = robot_line(snapshot)
    if robot is not None:
        parts.append(robot)
    if show_blackboard and snapshot.blackboard:
        parts.append(blackboard_table(snapshot))
    return Group(*parts)
