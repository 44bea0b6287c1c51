"""Export a behaviour tree to BT.CPP-style XML that py_trees' own XML parser reads back.

Supported nodes: ``Sequence`` and ``Selector`` (as ``<Sequence>`` / ``<Fallback>`` with ``memory``),
and every bt_planner node (anything with ``xml_attributes()``), tagged by its registered class
name. A custom action is one ``<CustomAction action="...">`` element: its factory builds the body
again when the XML is loaded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import py_trees


def _tag_and_attributes(node: py_trees.behaviour.Behaviour) -> tuple[str, dict[str, str]]:
    if type(node) is py_trees.composites.Sequence:
        return "Sequence", {"memory": str(node.memory).lower()}
    if type(node) is py_trees.composites.Selector:
        return "Fallback", {"memory": str(node.memory).lower()}
    exporter: Any = getattr(node, "xml_attributes", None)
    tag = getattr(node, "behaviour_class_name", None)
    if exporter is None or tag is None:
        raise ValueError(
            f"cannot export {type(node).__name__} node {node.name!r} to XML: only Sequence, Selector and "
            "bt_planner nodes (with xml_attributes()) are supported"
        )
    attributes: dict[str, str] = exporter()
    return str(tag), attributes


def _element(node: py_trees.behaviour.Behaviour) -> ET.Element:
    if "." in node.name:
        raise ValueError(
            f"node name {node.name!r} contains '.', which py_trees' XML parser uses as a separator"
        )
    tag, attributes = _tag_and_attributes(node)
    element = ET.Element(tag, {"name": node.name, **attributes})
    if isinstance(node, (py_trees.composites.Composite, py_trees.decorators.Decorator)):
        for child in node.children:
            element.append(_element(child))
    return element


def tree_to_xml(root: py_trees.behaviour.Behaviour, *, tree_id: str = "Plan") -> str:
    """``root`` and everything under it as an XML document with one ``<BehaviorTree ID=tree_id>``."""
    document = ET.Element("root", {"BTCPP_format": "4", "main_tree_to_execute": tree_id})
    tree = ET.SubElement(document, "BehaviorTree", {"ID": tree_id})
    tree.append(_element(root))
    ET.indent(document, space="  ")
    return ET.tostring(document, encoding="unicode", xml_declaration=False) + "\n"
