"""Load BehaviorTree.CPP v4 XML (bt_planner's exports, Groot2-saved files) into py_trees trees.

The document is checked and built completely before anything can run: any problem raises one
``TreeXmlError`` naming the element and its line. Supported:

* ``<root BTCPP_format="4" main_tree_to_execute=...>`` with ``<BehaviorTree ID>`` definitions,
  ``<TreeNodesModel>`` (read by BT.CPP/Groot2; here only checked to be well-formed) and comments;
* controls ``Sequence``, ``SequenceWithMemory``, ``ReactiveSequence``, ``Fallback``,
  ``ReactiveFallback``, ``Parallel`` (``success_count`` -1 or 1, ``failure_count`` 1); see
  ``bt_planner.tree.xml_export`` for the py_trees equivalents;
* decorators ``Inverter``, ``ForceSuccess``, ``ForceFailure``, ``Repeat num_cycles``,
  ``RetryUntilSuccessful num_attempts`` (-1: forever), ``Timeout msec`` (on the robot's clock when
  the registry binds ``Timeout``, as ``plan_node_registry`` does), and ``AlwaysSuccess``/``AlwaysFailure``;
* ``<SubTree ID=... port="value|{key}" _autoremap="true">``: the subtree is built in place, its
  ``{port}`` references replaced by the values given (literal values become the port's value);
* every node of ``registry`` (bt_planner leaves, guards, custom actions, mission nodes), in the
  compact (``<Navigate .../>``) or explicit (``<Action ID="Navigate" .../>``) form, ports as
  attributes. Action leaves are numbered in tree order (``index``).

A ``{key}`` left on a bt_planner node's port (one no SubTree remap resolves) is refused: plan
parameters are fixed when the tree is built.
"""

from __future__ import annotations

import functools
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import py_trees
from pydantic import ValidationError

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.errors import TreeXmlError
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree.btcpp_controls import SequenceWithMemory
from bt_planner.tree.guards.action_timeout import ActionTimeout
from bt_planner.tree.guards.safety_guard import SafetyGuard
from bt_planner.tree.leaves import LEAF_BY_TYPE, CustomAction
from bt_planner.tree.leaves.action_leaf import ActionLeaf
from bt_planner.tree.xml_attributes import is_remap, remap_key

_EXPLICIT = frozenset({"Action", "Condition", "Decorator", "Control"})
_CONTROLS = frozenset(
    {"Sequence", "SequenceWithMemory", "ReactiveSequence", "Fallback", "ReactiveFallback", "Parallel"}
)
_STANDARD_PORTS: dict[str, frozenset[str]] = {
    "Sequence": frozenset(),
    "SequenceWithMemory": frozenset(),
    "ReactiveSequence": frozenset(),
    "Fallback": frozenset(),
    "ReactiveFallback": frozenset(),
    "Parallel": frozenset({"success_count", "failure_count"}),
    "Inverter": frozenset(),
    "ForceSuccess": frozenset(),
    "ForceFailure": frozenset(),
    "Repeat": frozenset({"num_cycles"}),
    "RetryUntilSuccessful": frozenset({"num_attempts"}),
    "Timeout": frozenset({"msec"}),
    "AlwaysSuccess": frozenset(),
    "AlwaysFailure": frozenset(),
}
_SCRIPTED = frozenset(
    {"_skipIf", "_successIf", "_failureIf", "_while", "_onSuccess", "_onFailure", "_onHalted", "_post"}
)
_FOREVER = sys.maxsize


def plan_node_registry(
    *,
    robot: RobotInterface,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
) -> dict[str, Any]:
    """Node ID -> constructor for everything the plan compiler produces (custom actions by name)."""
    registry: dict[str, Any] = {
        cls.__name__: functools.partial(cls, robot=robot, world=world)
        for cls in LEAF_BY_TYPE.values()
        if cls is not CustomAction
    }
    actions = custom_actions or CustomActionRegistry()
    for name in actions.names():
        registry[name] = functools.partial(
            CustomAction, robot=robot, world=world, custom_actions=actions, action=name
        )
    registry["SafetyGuard"] = functools.partial(SafetyGuard, robot=robot, world=world, limits=limits)
    registry["Timeout"] = functools.partial(ActionTimeout, robot=robot)
    return registry


def _node_class(constructor: Any) -> type:
    while isinstance(constructor, functools.partial):
        constructor = constructor.func
    return constructor if isinstance(constructor, type) else object


@dataclass
class _Document:
    root: ET.Element
    trees: dict[str, ET.Element]
    lines: dict[int, int]
    source: str

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)

    def error(self, element: ET.Element, message: str) -> TreeXmlError:
        line = self.line(element)
        return TreeXmlError(
            f"{self.source}: line {line}: <{element.tag}>: {message}", element=element.tag, line=line
        )


def _parse(text: str, source: str) -> tuple[ET.Element, dict[int, int]]:
    """Elements with their line numbers (ElementTree alone does not keep them)."""
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate()

    def start(tag: str, attributes: dict[str, str]) -> None:
        lines[id(builder.start(tag, attributes))] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.ordered_attributes = False
    try:
        parser.Parse(text, True)
    except expat.ExpatError as error:
        raise TreeXmlError(
            f"{source}: line {error.lineno}: malformed XML: {expat.errors.messages[error.code]}",
            line=error.lineno,
        ) from None
    return builder.close(), lines


def _document(text: str, source: str) -> _Document:
    root, lines = _parse(text, source)
    document = _Document(root=root, trees={}, lines=lines, source=source)
    if root.tag != "root":
        raise document.error(root, 'the document element must be <root BTCPP_format="4">')
    version = root.get("BTCPP_format")
    if version is not None and version != "4":
        raise document.error(root, f"BTCPP_format={version!r} is not supported; only BT.CPP v4 XML is")
    for child in root:
        if child.tag == "BehaviorTree":
            tree_id = child.get("ID")
            if not tree_id:
                raise document.error(child, "a <BehaviorTree> needs an ID attribute")
            if tree_id in document.trees:
                raise document.error(child, f"BehaviorTree ID {tree_id!r} is defined twice")
            if len(child) != 1:
                raise document.error(
                    child, f"BehaviorTree {tree_id!r} must have exactly one root node, has {len(child)}"
                )
            document.trees[tree_id] = child
        elif child.tag != "TreeNodesModel":
            raise document.error(
                child, "unsupported top-level element (expected <BehaviorTree> or <TreeNodesModel>)"
            )
    if not document.trees:
        raise document.error(root, "the document defines no <BehaviorTree>")
    return document


@dataclass
class _Builder:
    document: _Document
    registry: dict[str, Any]
    leaf_count: int = 0
    subtrees: list[str] = field(default_factory=list)

    def build(self, element: ET.Element, remaps: dict[str, str]) -> py_trees.behaviour.Behaviour:
        tag = element.tag
        node_id = tag
        attributes = dict(element.attrib)
        if tag in _EXPLICIT:
            node_id = attributes.pop("ID", "")
            if not node_id:
                raise self.document.error(element, f"<{tag}> needs an ID attribute")
        if tag == "SubTree":
            return self.subtree(element, attributes, remaps)
        name = attributes.pop("name", node_id)
        scripted = sorted(key for key in attributes if key in _SCRIPTED)
        if scripted:
            raise self.document.error(
                element, f"scripted pre/post conditions ({', '.join(scripted)}) are not supported"
            )
        ports = {
            key: self.resolve(element, value, remaps)
            for key, value in attributes.items()
            if not key.startswith("_")
        }
        children = [self.build(child, remaps) for child in element]
        if node_id in self.registry:
            return self.custom(element, node_id, name, ports, children)
        if node_id in _STANDARD_PORTS:
            return self.standard(element, node_id, name, ports, children)
        known = ", ".join(sorted(set(self.registry) | set(_STANDARD_PORTS) | {"SubTree"}))
        raise self.document.error(element, f"unknown node {node_id!r} (known: {known})")

    def resolve(self, element: ET.Element, value: str, remaps: dict[str, str]) -> str:
        if is_remap(value) and remap_key(value) in remaps:
            return remaps[remap_key(value)]
        return value

    def subtree(
        self, element: ET.Element, attributes: dict[str, str], remaps: dict[str, str]
    ) -> py_trees.behaviour.Behaviour:
        tree_id = attributes.pop("ID", "")
        definition = self.document.trees.get(tree_id)
        if definition is None:
            known = ", ".join(sorted(self.document.trees))
            raise self.document.error(
                element, f"SubTree ID {tree_id!r} is not defined in this document (defined: {known})"
            )
        if tree_id in self.subtrees:
            raise self.document.error(
                element, f"SubTree {tree_id!r} includes itself ({' -> '.join([*self.subtrees, tree_id])})"
            )
        if len(element):
            raise self.document.error(element, "a <SubTree> has no children; its body is its <BehaviorTree>")
        attributes.pop("name", None)
        autoremap = attributes.pop("_autoremap", "false").strip().lower() == "true"
        inner = dict(remaps) if autoremap else {}
        for port, value in attributes.items():
            if port.startswith("_"):
                continue
            inner[port] = self.resolve(element, value, remaps)
        self.subtrees.append(tree_id)
        try:
            return self.build(definition[0], inner)
        finally:
            self.subtrees.pop()

    def custom(
        self,
        element: ET.Element,
        node_id: str,
        name: str,
        ports: dict[str, str],
        children: list[py_trees.behaviour.Behaviour],
    ) -> py_trees.behaviour.Behaviour:
        constructor = self.registry[node_id]
        cls = _node_class(constructor)
        remapped = sorted(port for port, value in ports.items() if is_remap(value))
        if remapped:
            raise self.document.error(
                element,
                f"port(s) {', '.join(remapped)} of {node_id!r} read the blackboard ({ports[remapped[0]]}); "
                "give a value, or remap it from a <SubTree> port",
            )
        kwargs: dict[str, Any] = dict(ports)
        if issubclass(cls, py_trees.decorators.Decorator):
            if len(children) != 1:
                raise self.document.error(
                    element, f"decorator {node_id!r} needs exactly one child, has {len(children)}"
                )
            kwargs["child"] = children[0]
        elif issubclass(cls, py_trees.composites.Composite):
            kwargs["children"] = children
        elif children:
            raise self.document.error(
                element, f"{node_id!r} is a leaf and takes no children, has {len(children)}"
            )
        if issubclass(cls, ActionLeaf):
            kwargs["index"] = self.leaf_count
            self.leaf_count += 1
        if node_id == "Timeout":
            kwargs["duration"] = self.number(element, "msec", ports.get("msec"), minimum=1) / 1000.0
            del kwargs["msec"]
        try:
            node: py_trees.behaviour.Behaviour = constructor(name=name, **kwargs)
        except ValidationError as error:
            details = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(ports)'}: {e['msg']}" for e in error.errors()
            )
            raise self.document.error(element, f"bad port value for {node_id!r}: {details}") from None
        except (TypeError, ValueError) as error:
            raise self.document.error(element, f"bad port for {node_id!r}: {error}") from None
        return node

    def number(self, element: ET.Element, port: str, value: str | None, *, minimum: int) -> int:
        if value is None:
            raise self.document.error(element, f"port {port!r} is required")
        try:
            number = int(value)
        except ValueError:
            raise self.document.error(element, f"port {port}={value!r} is not an integer") from None
        if number < minimum and number != -1:
            raise self.document.error(element, f"port {port}={number} must be -1 (forever) or >= {minimum}")
        return number

    def standard(
        self,
        element: ET.Element,
        node_id: str,
        name: str,
        ports: dict[str, str],
        children: list[py_trees.behaviour.Behaviour],
    ) -> py_trees.behaviour.Behaviour:
        unknown = sorted(set(ports) - _STANDARD_PORTS[node_id])
        if unknown:
            raise self.document.error(element, f"{node_id} has no port(s) {', '.join(unknown)}")
        if node_id in _CONTROLS:
            if not children:
                raise self.document.error(element, f"control node {node_id} needs at least one child")
            return self.control(element, node_id, name, ports, children)
        if node_id in ("AlwaysSuccess", "AlwaysFailure"):
            if children:
                raise self.document.error(element, f"{node_id} is a leaf and takes no children")
            leaf = py_trees.behaviours.Success if node_id == "AlwaysSuccess" else py_trees.behaviours.Failure
            return leaf(name=name)
        if len(children) != 1:
            raise self.document.error(
                element, f"decorator {node_id} needs exactly one child, has {len(children)}"
            )
        child = children[0]
        if node_id == "Inverter":
            return py_trees.decorators.Inverter(name=name, child=child)
        if node_id == "ForceSuccess":
            return py_trees.decorators.FailureIsSuccess(name=name, child=child)
        if node_id == "ForceFailure":
            return py_trees.decorators.SuccessIsFailure(name=name, child=child)
        if node_id == "Repeat":
            cycles = self.number(element, "num_cycles", ports.get("num_cycles"), minimum=1)
            return py_trees.decorators.Repeat(
                name=name, child=child, num_success=_FOREVER if cycles == -1 else cycles
            )
        if node_id == "RetryUntilSuccessful":
            attempts = self.number(element, "num_attempts", ports.get("num_attempts"), minimum=1)
            return py_trees.decorators.Retry(
                name=name, child=child, num_failures=_FOREVER if attempts == -1 else attempts
            )
        milliseconds = self.number(element, "msec", ports.get("msec"), minimum=1)
        if milliseconds == -1:
            raise self.document.error(element, "Timeout msec must be positive")
        return py_trees.decorators.Timeout(name=name, child=child, duration=milliseconds / 1000.0)

    def control(
        self,
        element: ET.Element,
        node_id: str,
        name: str,
        ports: dict[str, str],
        children: list[py_trees.behaviour.Behaviour],
    ) -> py_trees.behaviour.Behaviour:
        if node_id == "Sequence":
            return py_trees.composites.Sequence(name=name, memory=True, children=children)
        if node_id == "ReactiveSequence":
            return py_trees.composites.Sequence(name=name, memory=False, children=children)
        if node_id == "SequenceWithMemory":
            return SequenceWithMemory(name=name, children=children)
        if node_id == "Fallback":
            return py_trees.composites.Selector(name=name, memory=True, children=children)
        if node_id == "ReactiveFallback":
            return py_trees.composites.Selector(name=name, memory=False, children=children)
        success = ports.get("success_count", "-1").strip()
        failure = ports.get("failure_count", "1").strip()
        if failure != "1" or success not in ("-1", "1", str(len(children))):
            raise self.document.error(
                element,
                f"Parallel success_count={success!r} failure_count={failure!r} is not supported "
                "(supported: success_count -1, 1 or the number of children; failure_count 1)",
            )
        policy: py_trees.common.ParallelPolicy.Base
        if success == "1" and len(children) > 1:
            policy = py_trees.common.ParallelPolicy.SuccessOnOne()
        else:
            policy = py_trees.common.ParallelPolicy.SuccessOnAll(synchronise=True)
        return py_trees.composites.Parallel(name=name, policy=policy, children=children)


def load_tree_xml(
    source: str | Path, *, registry: dict[str, Any], tree_id: str | None = None
) -> py_trees.behaviour.Behaviour:
    """Build the tree of ``source`` (a file path, or XML text starting with ``<``).

    ``registry`` maps node IDs to constructors (see ``plan_node_registry``); ``tree_id`` picks the
    ``<BehaviorTree ID>`` (default: the document's ``main_tree_to_execute``, or its only tree).

    Raises:
        FileNotFoundError: ``source`` is a path that does not exist.
        TreeXmlError: the document is malformed or uses an unsupported element, an unknown node,
            or a bad port value; the message names the element and its line.
    """
    if isinstance(source, str) and source.lstrip().startswith("<"):
        text, label = source, "<xml>"
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"tree XML file not found: {path}")
        text, label = path.read_text(encoding="utf-8"), str(path)
    document = _document(text, label)
    main = tree_id if tree_id is not None else _main_tree(document)
    definition = document.trees.get(main)
    if definition is None:
        raise TreeXmlError(
            f"{label}: no <BehaviorTree ID={main!r}> (defined: {', '.join(sorted(document.trees))})",
            element="BehaviorTree",
        )
    builder = _Builder(document=document, registry=registry, subtrees=[main])
    return builder.build(definition[0], {})


def _main_tree(document: _Document) -> str:
    main = document.root.get("main_tree_to_execute")
    if main:
        return main
    if len(document.trees) == 1:
        return next(iter(document.trees))
    raise TreeXmlError(
        f"{document.source}: <root> has several trees ({', '.join(sorted(document.trees))}) and no "
        "main_tree_to_execute; name the one to run",
        element="root",
        line=1,
    )
