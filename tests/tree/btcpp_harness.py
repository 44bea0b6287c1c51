"""Load an exported document into the real BehaviorTree.CPP (``behaviortreepy``) with stub nodes.

behaviortreepy 0.1.4 registers Python nodes without ports (its wrapper's ``providedPorts()`` is
empty), and BT.CPP rejects a port it was not told about. The only BT.CPP node type a Python
caller can give ports is a SubTree model, so each custom *action* of the document's
``<TreeNodesModel>`` is registered as a ``<BehaviorTree ID=X>`` holding a stub, declared as a
SubTree with exactly the model's ports, and its elements are rewritten mechanically from
``<X .../>`` to ``<SubTree ID="X" .../>``. BT.CPP does not check a SubTree's attributes, so this
harness checks each against the model. Custom decorators are registered as port-less simple
decorators (pass-through); everything standard (controls, Timeout, Retry, ...) is BT.CPP's own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

from bt_planner.tree.btcpp_nodes import all_models, tree_nodes_model

bt = pytest.importorskip(
    "behaviortreepy",
    reason="behaviortreepy (BehaviorTree.CPP v4 bindings, cp311 wheels) is not installed; "
    "pip install -e '.[dev]' on Python 3.11",
)

UNSET = "(unset)"


@dataclass
class Visit:
    node_id: str
    name: str
    ports: dict[str, str]


@dataclass
class BtcppRun:
    """What BT.CPP did: the status of the root and the stub actions it ticked, in order."""

    status: str
    visits: list[Visit] = field(default_factory=list)


def _models(document: ET.Element) -> dict[str, ET.Element]:
    """bt_planner's node models (the node types "registered"), then the document's own."""
    ours = tree_nodes_model(list(all_models().values()))
    found = {node.get("ID", ""): node for node in ours}
    model = document.find("TreeNodesModel")
    found.update({node.get("ID", ""): node for node in (model if model is not None else [])})
    return {node_id: node for node_id, node in found.items() if node.tag != "SubTree"}


def _ports(model: ET.Element) -> list[str]:
    return [port.get("name", "") for port in model if port.tag in ("input_port", "output_port", "inout_port")]


def _rewrite(element: ET.Element, actions: dict[str, ET.Element]) -> None:
    for child in element:
        _rewrite(child, actions)
    model = actions.get(element.tag)
    if model is None:
        return
    unknown = sorted(set(element.attrib) - {"name"} - set(_ports(model)))
    assert not unknown, f"<{element.tag} name={element.get('name')!r}> has undeclared port(s) {unknown}"
    node_id = element.tag
    element.tag = "SubTree"
    attributes = dict(element.attrib)
    element.attrib.clear()
    element.attrib.update({"ID": node_id, **attributes})


def run_in_btcpp(xml: str, *, fail: frozenset[str] = frozenset()) -> BtcppRun:
    """Load ``xml`` into BT.CPP with stub nodes and tick it to the end.

    Stub actions succeed, except those whose name is in ``fail``. Raises ``RuntimeError`` (from
    BT.CPP) if the document does not load.
    """
    document = ET.fromstring(xml)
    models = _models(document)
    actions = {node_id: m for node_id, m in models.items() if m.tag in ("Action", "Condition")}
    decorators = {node_id for node_id, m in models.items() if m.tag == "Decorator"}
    for tree in document.findall("BehaviorTree"):
        _rewrite(tree, actions)
    for node_id in decorators:
        for element in document.iter(node_id):
            assert not set(element.attrib) - {"name"}, (
                f"<{node_id}> carries ports {sorted(element.attrib)}: behaviortreepy cannot register "
                "a decorator with ports"
            )
    run = BtcppRun(status="IDLE")
    factory = bt.BehaviorTreeFactory()
    library = ET.Element("root", {"BTCPP_format": "4"})
    nodes_model = ET.SubElement(library, "TreeNodesModel")
    for node_id, model in actions.items():
        stub_id = f"Stub_{node_id}"
        ET.SubElement(ET.SubElement(library, "BehaviorTree", {"ID": node_id}), stub_id, {"name": node_id})
        declared = ET.SubElement(nodes_model, "SubTree", {"ID": node_id})
        for port in model:
            if port.tag.endswith("_port"):
                # BT.CPP makes a SubTree port without a default mandatory; ours may be optional.
                declared.append(ET.Element(port.tag, {"default": UNSET, **port.attrib}))

        def stub(
            node: object, *, node_id: str = node_id, names: tuple[str, ...] = tuple(_ports(model))
        ) -> object:
            board = node.config().blackboard  # type: ignore[attr-defined]
            ports: dict[str, str] = {}
            for key in names:
                try:
                    value = board.get_string(key)  # follows the SubTree remaps to the parent's keys
                except RuntimeError:
                    continue
                if value != UNSET:
                    ports[key] = value
            path = str(node.full_path())  # type: ignore[attr-defined]
            name = path[: -len(node_id) - 1].rsplit("/", 1)[-1] if path.endswith("/" + node_id) else path
            run.visits.append(Visit(node_id=node_id, name=name, ports=ports))
            return bt.NodeStatus.FAILURE if name in fail else bt.NodeStatus.SUCCESS

        factory.register_simple_action(stub_id, stub)
    for node_id in decorators:
        factory.register_simple_decorator(node_id, lambda status, node: status)
    factory.register_behavior_tree_from_text(ET.tostring(library, encoding="unicode"))
    document_text = ET.tostring(document, encoding="unicode")
    factory.register_behavior_tree_from_text(document_text)
    tree = factory.create_tree(document.get("main_tree_to_execute", ""))
    run.status = str(tree.tick_while_running(0)).rsplit(".", 1)[-1]
    return run
