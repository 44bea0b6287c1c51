"""Build trees from XML with py_trees' own parser, binding bt_planner nodes to a robot and world.

``plan_node_registry`` maps XML tags to bt_planner node classes with their dependencies bound
(``functools.partial``), which is how py_trees' parser injects them.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import py_trees

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree.guards.action_timeout import ActionTimeout
from bt_planner.tree.guards.safety_guard import SafetyGuard
from bt_planner.tree.leaves import LEAF_BY_TYPE, CustomAction


def plan_node_registry(
    *,
    robot: RobotInterface,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
) -> dict[str, Any]:
    """XML tag -> node constructor for everything the plan compiler produces."""
    registry: dict[str, Any] = {
        cls.__name__: functools.partial(cls, robot=robot, world=world)
        for cls in LEAF_BY_TYPE.values()
        if cls is not CustomAction
    }
    registry["CustomAction"] = functools.partial(
        CustomAction, robot=robot, world=world, custom_actions=custom_actions or CustomActionRegistry()
    )
    registry["SafetyGuard"] = functools.partial(SafetyGuard, robot=robot, world=world, limits=limits)
    registry["ActionTimeout"] = functools.partial(ActionTimeout, robot=robot)
    return registry


def _restore_names(root: py_trees.behaviour.Behaviour) -> None:
    """The parser prefixes names with their parents' (``parent.child``); keep each node's own name."""
    for node in root.iterate():
        node.name = node.name.rsplit(".", 1)[-1]


def load_tree_xml(
    source: str | Path, *, registry: dict[str, Any], tree_id: str | None = None
) -> py_trees.behaviour.Behaviour:
    """Parse ``source`` (a file path, or XML text starting with ``<``) into a tree.

    ``registry`` maps tags to constructors (see ``plan_node_registry``); ``tree_id`` picks the
    ``<BehaviorTree ID>`` (default: the document's ``main_tree_to_execute``).
    """
    from py_trees.parsers.behaviour_tree_xml import parse_behaviour_tree_xml

    if isinstance(source, str) and source.lstrip().startswith("<"):
        with tempfile.TemporaryDirectory(prefix="bt_planner_xml_") as folder:
            path = Path(folder) / "tree.xml"
            path.write_text(source, encoding="utf-8")
            root = parse_behaviour_tree_xml(str(path), main_tree_id=tree_id, node_registry=registry)
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"tree XML file not found: {path}")
        root = parse_behaviour_tree_xml(str(path), main_tree_id=tree_id, node_registry=registry)
    _restore_names(root)
    return root
