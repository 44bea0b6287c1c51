"""Export a behaviour tree as BehaviorTree.CPP v4 XML that BT.CPP and Groot2 load.

Controls map by memory and reactivity (py_trees and BT.CPP name them differently):

=====================================  =====================================================
py_trees                               BT.CPP v4
=====================================  =====================================================
``Sequence(memory=True)``              ``Sequence`` (resumes at the running child)
``Sequence(memory=False)``             ``ReactiveSequence`` (re-ticks every child each tick)
``SequenceWithMemory`` (bt_planner)    ``SequenceWithMemory``
``Selector(memory=True)``              ``Fallback``
``Selector(memory=False)``             ``ReactiveFallback``
``Parallel(SuccessOnAll/SuccessOnOne)``  ``Parallel success_count="-1"/"1" failure_count="1"``
=====================================  =====================================================

A control without children (an empty plan) is ``AlwaysSuccess`` (``AlwaysFailure`` for a selector),
as py_trees ticks it. ``ActionTimeout`` is BT.CPP's ``Timeout msec``; py_trees ``Inverter``, ``FailureIsSuccess``,
``SuccessIsFailure``, ``Repeat`` and ``Retry`` are ``Inverter``, ``ForceSuccess``, ``ForceFailure``,
``Repeat num_cycles`` and ``RetryUntilSuccessful num_attempts``. Action leaves are nodes of their
class name (a custom action: its registered name) whose parameters are input ports; ``SafetyGuard``
is a decorator with a ``rules`` port (omitted when it runs every rule, the port's default). A
``<TreeNodesModel>`` declares every custom node used. Mission nodes are tagged by class name.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

import py_trees

from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.tree.btcpp_controls import SequenceWithMemory
from bt_planner.tree.btcpp_nodes import (
    SAFETY_GUARD,
    NodeModel,
    all_models,
    behaviour_model,
    custom_models,
    tree_nodes_model,
)
from bt_planner.tree.guards.action_timeout import ActionTimeout
from bt_planner.tree.guards.safety_guard import SafetyGuard
from bt_planner.tree.leaves.action_leaf import ActionLeaf
from bt_planner.tree.leaves.custom import CustomAction
from bt_planner.tree.xml_attributes import port_text, to_attributes

_DECORATORS: dict[type, str] = {
    py_trees.decorators.Inverter: "Inverter",
    py_trees.decorators.FailureIsSuccess: "ForceSuccess",
    py_trees.decorators.SuccessIsFailure: "ForceFailure",
}


def msec(seconds: float) -> str:
    """Seconds as BT.CPP's whole milliseconds."""
    return str(round(seconds * 1000))


def _count(value: int) -> str:
    return "-1" if value >= 2**31 - 1 else str(value)


def _standard(node: py_trees.behaviour.Behaviour) -> tuple[str, dict[str, str]] | None:
    kind = type(node)
    if (
        kind in (SequenceWithMemory, py_trees.composites.Sequence, py_trees.composites.Parallel)
        and not node.children
    ):
        return "AlwaysSuccess", {}  # BT.CPP refuses a control without children; py_trees succeeds
    if kind is py_trees.composites.Selector and not node.children:
        return "AlwaysFailure", {}
    if kind is SequenceWithMemory:
        return "SequenceWithMemory", {}
    if kind is py_trees.composites.Sequence:
        return ("Sequence" if node.memory else "ReactiveSequence"), {}  # type: ignore[attr-defined]
    if kind is py_trees.composites.Selector:
        return ("Fallback" if node.memory else "ReactiveFallback"), {}  # type: ignore[attr-defined]
    if kind is py_trees.composites.Parallel:
        policy = node.policy  # type: ignore[attr-defined]
        if isinstance(policy, py_trees.common.ParallelPolicy.SuccessOnAll):
            return "Parallel", {"success_count": "-1", "failure_count": "1"}
        if isinstance(policy, py_trees.common.ParallelPolicy.SuccessOnOne):
            return "Parallel", {"success_count": "1", "failure_count": "1"}
        return None
    if kind is ActionTimeout:
        return "Timeout", {"msec": msec(node.duration)}  # type: ignore[attr-defined]
    if kind is py_trees.decorators.Timeout:
        return "Timeout", {"msec": msec(node.duration)}  # type: ignore[attr-defined]
    if kind is py_trees.decorators.Repeat:
        return "Repeat", {"num_cycles": _count(node.num_success)}  # type: ignore[attr-defined]
    if kind is py_trees.decorators.Retry:
        return "RetryUntilSuccessful", {"num_attempts": _count(node.num_failures)}  # type: ignore[attr-defined]
    if kind in _DECORATORS:
        return _DECORATORS[kind], {}
    if kind is py_trees.behaviours.Success:
        return "AlwaysSuccess", {}
    if kind is py_trees.behaviours.Failure:
        return "AlwaysFailure", {}
    return None


class _Exporter:
    def __init__(
        self,
        custom_actions: CustomActionRegistry | None,
        uids: Callable[[py_trees.behaviour.Behaviour], int] | None,
    ) -> None:
        self.models = all_models(custom_actions)
        self.used: dict[str, NodeModel] = {}
        self.uids = uids

    def custom(self, node_id: str, node: py_trees.behaviour.Behaviour) -> str:
        model = self.models.get(node_id)
        if model is None:
            raise ValueError(
                f"cannot export {type(node).__name__} node {node.name!r}: no node model {node_id!r}"
            )
        self.used[node_id] = model
        return node_id

    def tag_and_ports(self, node: py_trees.behaviour.Behaviour) -> tuple[str, dict[str, str]]:
        standard = _standard(node)
        if standard is not None:
            return standard
        if isinstance(node, CustomAction):
            name = node.params.name
            if name not in self.models:
                self.models.update(custom_models(_single(node)))
            return self.custom(name, node), to_attributes(node.params.arguments)
        if isinstance(node, ActionLeaf):
            values = node.params.model_dump(mode="json", exclude_none=True)
            return self.custom(type(node).__name__, node), to_attributes(values)
        if isinstance(node, SafetyGuard):
            rules = ",".join(node.rules)
            ports = {} if rules == SAFETY_GUARD.ports[0].default else {"rules": port_text(rules)}
            return self.custom("SafetyGuard", node), ports
        if getattr(node, "xml_attributes", None) is not None:
            self.models.setdefault(type(node).__name__, behaviour_model(type(node)))
            return self.custom(type(node).__name__, node), {}
        raise ValueError(
            f"cannot export {type(node).__name__} node {node.name!r} to BT.CPP XML: only py_trees "
            "Sequence, Selector, Parallel, the standard decorators and bt_planner nodes are supported"
        )

    def element(self, node: py_trees.behaviour.Behaviour) -> ET.Element:
        tag, ports = self.tag_and_ports(node)
        element = ET.Element(tag, {"name": node.name, **ports})
        if self.uids is not None:
            element.set("_uid", str(self.uids(node)))  # Groot2's live monitoring: statuses by uid
        model = self.used.get(tag)
        leaf = model is not None and model.kind in ("Action", "Condition")
        if not leaf and isinstance(node, (py_trees.composites.Composite, py_trees.decorators.Decorator)):
            for child in node.children:
                element.append(self.element(child))
        return element


def _single(node: CustomAction) -> CustomActionRegistry:
    registry = CustomActionRegistry()
    registry.register(node.spec.name, node.spec.params_model, node.spec.description)
    return registry


def tree_to_xml(
    root: py_trees.behaviour.Behaviour,
    *,
    tree_id: str = "Plan",
    custom_actions: CustomActionRegistry | None = None,
    uids: Callable[[py_trees.behaviour.Behaviour], int] | None = None,
) -> str:
    """``root`` and everything under it as a BT.CPP v4 document with one ``<BehaviorTree ID=tree_id>``.

    ``custom_actions`` supplies the port models of custom actions (default: taken from the leaves).
    ``uids`` (Groot2's live monitoring, ``bt_planner.groot2``) gives every element a ``_uid``.
    Raises ``ValueError`` for a node with no BT.CPP equivalent.
    """
    exporter = _Exporter(custom_actions, uids)
    document = ET.Element("root", {"BTCPP_format": "4", "main_tree_to_execute": tree_id})
    tree = ET.SubElement(document, "BehaviorTree", {"ID": tree_id})
    tree.append(exporter.element(root))
    if exporter.used:
        document.append(tree_nodes_model(list(exporter.used.values())))
    ET.indent(document, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(document, encoding="unicode") + "\n"
