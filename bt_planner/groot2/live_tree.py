"""``LiveTree``: what Groot2 is shown of a running py_trees tree, taken after each tick.

Each node gets a uid (uint16, 1 for the root, in pre-order the first time it is seen), which it
keeps for as long as it is in the tree: the mission's ``ExecutePlan`` swaps in a new plan for
every attempt, and the mission's nodes keep their uids while the plan's nodes get new ones.

The tree's document is the BehaviorTree.CPP v4 export (``bt_planner.tree.xml_export``) with a
``_uid`` on every element, as BT.CPP's own publisher sends it. Nodes that the export shows as
leaves but that hold children at run time (``ExecutePlan`` and its plan) get them grafted in, and
are declared as a decorator (one child) or a control (several) in that document; the models of
the BT.CPP built-in nodes used are declared too. The document and a new tree id are made only
when the tree's shape changes; on every other tick only the status buffer is rebuilt.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import py_trees
from py_trees.common import Status

from bt_planner.groot2.btcpp_builtins import BUILTIN_MODELS
from bt_planner.groot2.monitor_protocol import MAX_UID, NodeStatus, encode_statuses, new_tree_id, wire_status
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.tree.btcpp_nodes import tree_nodes_model
from bt_planner.tree.xml_export import tree_to_xml

_RAW = {
    Status.RUNNING: NodeStatus.RUNNING,
    Status.SUCCESS: NodeStatus.SUCCESS,
    Status.FAILURE: NodeStatus.FAILURE,
    Status.INVALID: NodeStatus.IDLE,
}


@dataclass(frozen=True)
class TreeSnapshot:
    """The tree as of one tick, ready to send: immutable, so the server thread reads it without a lock."""

    tree_id: bytes
    """16 bytes; a new id whenever the tree's shape changed."""
    xml: bytes | None
    """The ``FULLTREE`` document (UTF-8), or None when the tree cannot be exported (see ``error``)."""
    statuses: bytes
    """The ``STATUS`` payload."""
    error: str | None = None
    changes: tuple[tuple[int, int], ...] = field(default=())
    """``(uid, NodeStatus)`` of the nodes whose status changed in this tick (for recording)."""


def preorder(root: py_trees.behaviour.Behaviour) -> Iterator[py_trees.behaviour.Behaviour]:
    """``root`` and its descendants, parents before children (BT.CPP's order)."""
    yield root
    for child in root.children:
        yield from preorder(child)


class LiveTree:
    """Follows one tree: ``observe(root)`` after a tick gives the ``TreeSnapshot`` to publish.

    Call ``observe`` from the ticking thread only (it reads the nodes).

    Args:
        tree_id: the ``<BehaviorTree ID>`` of the document.
        custom_actions: the registry custom actions' port models come from (default: the leaves').
    """

    def __init__(
        self, *, tree_id: str = "MainTree", custom_actions: CustomActionRegistry | None = None
    ) -> None:
        self.tree_id = tree_id
        self.custom_actions = custom_actions
        self._uids: dict[uuid.UUID, int] = {}
        self._next_uid = 1
        self._shape: tuple[uuid.UUID, ...] = ()
        self._snapshot: TreeSnapshot | None = None
        self._last: dict[int, NodeStatus] = {}
        self._before_idle: dict[int, NodeStatus] = {}

    def uid(self, node: py_trees.behaviour.Behaviour) -> int:
        """The uid ``node`` is published under (after it has been observed)."""
        return self._uids[node.id]

    def observe(self, root: py_trees.behaviour.Behaviour) -> TreeSnapshot:
        """The snapshot of ``root`` now: a new document and tree id if its shape changed."""
        nodes = list(preorder(root))
        shape = tuple(node.id for node in nodes)
        if shape != self._shape or self._snapshot is None:
            self._reshape(nodes)
            self._shape = shape
            xml, error = self._document(root, nodes)
            tree_id = new_tree_id()
        else:
            xml, error, tree_id = self._snapshot.xml, self._snapshot.error, self._snapshot.tree_id
        statuses: list[tuple[int, int]] = []
        changes: list[tuple[int, int]] = []
        for node in nodes:
            uid = self._uids[node.id]
            raw = _RAW[node.status]
            statuses.append((uid, wire_status(node.status, self._before_idle.get(uid, NodeStatus.IDLE))))
            if raw is not NodeStatus.IDLE:
                self._before_idle[uid] = raw
            if self._last.get(uid, NodeStatus.IDLE) is not raw:
                changes.append((uid, int(raw)))
            self._last[uid] = raw
        self._snapshot = TreeSnapshot(
            tree_id=tree_id, xml=xml, statuses=encode_statuses(statuses), error=error, changes=tuple(changes)
        )
        return self._snapshot

    def _reshape(self, nodes: list[py_trees.behaviour.Behaviour]) -> None:
        """Keep the uids of nodes still there, number new ones; start over past uint16."""
        present = {node.id for node in nodes}
        self._uids = {key: uid for key, uid in self._uids.items() if key in present}
        fresh = [node for node in nodes if node.id not in self._uids]
        if self._next_uid + len(fresh) > MAX_UID:
            self._uids, self._next_uid, fresh = {}, 1, nodes
        for node in fresh:
            self._uids[node.id] = self._next_uid
            self._next_uid += 1
        kept = set(self._uids.values())
        for table in (self._last, self._before_idle):
            for uid in [uid for uid in table if uid not in kept]:
                del table[uid]

    def _export(self, node: py_trees.behaviour.Behaviour) -> ET.Element:
        text = tree_to_xml(node, tree_id=self.tree_id, custom_actions=self.custom_actions, uids=self.uid)
        return ET.fromstring(text)

    def _document(
        self, root: py_trees.behaviour.Behaviour, nodes: list[py_trees.behaviour.Behaviour]
    ) -> tuple[bytes | None, str | None]:
        try:
            document = self._export(root)
            models = _models(document)
            elements = {int(e.get("_uid", "0")): e for e in document.iter() if "_uid" in e.attrib}
            for node in nodes:
                element = elements[self.uid(node)]
                if node.children and len(element) == 0:  # exported as a leaf, has children now
                    for child in node.children:
                        grafted = self._export(child)
                        models.update(_models(grafted))
                        subtree = grafted.find("BehaviorTree")
                        assert subtree is not None
                        top = subtree[0]
                        element.append(top)
                        elements.update({int(e.get("_uid", "0")): e for e in top.iter()})
                    model = models.get(element.tag)
                    if model is not None:
                        model.tag = "Decorator" if len(node.children) == 1 else "Control"
        except ValueError as error:
            return None, f"the tree cannot be shown in Groot2: {error}"
        for tree in document.findall("BehaviorTree"):
            tree.set("_fullpath", "")
        used = {element.tag for element in document.iter()}
        builtins = [model for node_id, model in BUILTIN_MODELS.items() if node_id in used]
        models.update({element.get("ID", ""): element for element in tree_nodes_model(builtins)})
        old = document.find("TreeNodesModel")
        if old is not None:
            document.remove(old)
        declared = ET.SubElement(document, "TreeNodesModel")
        declared.extend(models[node_id] for node_id in sorted(models))
        ET.indent(document, space="  ")
        return ET.tostring(document, encoding="utf-8", xml_declaration=False), None


def _models(document: ET.Element) -> dict[str, ET.Element]:
    model = document.find("TreeNodesModel")
    return {element.get("ID", ""): element for element in (model if model is not None else [])}
