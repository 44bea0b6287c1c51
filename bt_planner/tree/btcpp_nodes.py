"""The BT.CPP v4 node models of bt_planner's nodes: IDs, kinds and typed, described ports.

``<TreeNodesModel>`` is how BT.CPP and Groot2 learn a custom node's ports. Each action leaf's input
ports are its parameter model's fields (type and description from the pydantic field); a custom
action's are its registered model's fields; ``SafetyGuard`` has ``rules``. Mission nodes talk
through fixed blackboard keys (``bt_planner.tree.keys``) and have no ports (``behaviour_model``).

Standard BT.CPP nodes (controls, ``Timeout``, ``RetryUntilSuccessful``, ...) are built into every
BT.CPP and are never declared.
"""

from __future__ import annotations

import types
import typing
import xml.etree.ElementTree as ET
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo

from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.tree.guards.guard_checks import ALL_CHECKS
from bt_planner.tree.xml_attributes import port_text

NodeKind = Literal["Action", "Condition", "Decorator", "Control"]

STANDARD_CONTROLS = frozenset(
    {"Sequence", "SequenceWithMemory", "ReactiveSequence", "Fallback", "ReactiveFallback", "Parallel"}
)
STANDARD_DECORATORS = frozenset(
    {"Inverter", "ForceSuccess", "ForceFailure", "Repeat", "RetryUntilSuccessful", "Timeout"}
)
STANDARD_LEAVES = frozenset({"AlwaysSuccess", "AlwaysFailure"})
BTCPP_RESERVED = frozenset(
    STANDARD_CONTROLS
    | STANDARD_DECORATORS
    | STANDARD_LEAVES
    | {"SubTree", "Script", "ScriptCondition", "Delay", "KeepRunningUntilFailure", "Precondition",
       "SetBlackboard", "Sleep", "WhileDoElse", "IfThenElse", "Switch2", "Switch3", "RunOnce",
       "LoopInt", "LoopDouble", "LoopString", "LoopBool", "UnsetBlackboard", "WasEntryUpdated",
       "SkipUnlessUpdated", "WaitValueUpdate", "ParallelAll", "ManualSelector", "BehaviorTree",
       "TreeNodesModel", "Action", "Condition", "Decorator", "Control", "root", "include"}
)  # fmt: skip
"""Tags BT.CPP itself defines; no custom node may take one of these IDs."""


class PortModel(BaseModel):
    """One port of a node model, as ``<input_port>``/``<output_port>`` in ``<TreeNodesModel>``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    direction: Literal["input", "output"] = "input"
    type: str = "std::string"
    description: str = ""
    default: str | None = None
    required: bool = True


class NodeModel(BaseModel):
    """A custom node as BT.CPP/Groot2 see it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: NodeKind
    description: str = ""
    ports: tuple[PortModel, ...] = ()

    def port(self, name: str) -> PortModel | None:
        """The port called ``name``, if the node has one."""
        return next((p for p in self.ports if p.name == name), None)


def _unwrap(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def cpp_type(annotation: Any) -> str:
    """The BT.CPP type name Groot2 shows for a field annotated ``annotation``."""
    inner = _unwrap(annotation)
    if inner is bool:
        return "bool"
    if inner is int:
        return "int"
    if inner is float:
        return "double"
    if inner is str or (isinstance(inner, type) and issubclass(inner, Enum)):
        return "std::string"
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return f"json:{inner.__name__}"
    return "json"


def _port(name: str, field: FieldInfo) -> PortModel:
    default: str | None = None
    if not field.is_required() and field.default is not None:
        value = (
            field.default.model_dump(mode="json") if isinstance(field.default, BaseModel) else field.default
        )
        default = port_text(value.value if isinstance(value, Enum) else value)
    return PortModel(
        name=name,
        type=cpp_type(field.annotation),
        description=field.description or "",
        default=default,
        required=field.is_required(),
    )


def _summary(doc: str | None) -> str:
    text = " ".join((doc or "").strip().split("\n\n")[0].split())
    return text.replace("``", "").replace("params.", "")


def params_ports(model: type[BaseModel], *, skip: tuple[str, ...] = ()) -> tuple[PortModel, ...]:
    """The input ports of a parameter model: one per field, in field order."""
    return tuple(_port(name, field) for name, field in model.model_fields.items() if name not in skip)


def leaf_models() -> dict[str, NodeModel]:
    """Models of the built-in action leaves (``Navigate``, ``Grasp``, ...), by ID."""
    from bt_planner.tree.leaves import LEAF_BY_TYPE, CustomAction

    models: dict[str, NodeModel] = {}
    for cls in LEAF_BY_TYPE.values():
        if cls is CustomAction:
            continue
        models[cls.__name__] = NodeModel(
            id=cls.__name__,
            kind="Action",
            description=_summary(cls.__doc__),
            ports=params_ports(cls.params_model),
        )
    return models


def custom_models(registry: CustomActionRegistry) -> dict[str, NodeModel]:
    """Models of the registered custom actions: the ID is the registered name."""
    return {
        spec.name: NodeModel(
            id=spec.name, kind="Action", description=spec.description, ports=params_ports(spec.params_model)
        )
        for spec in registry
    }


SAFETY_GUARD = NodeModel(
    id="SafetyGuard",
    kind="Decorator",
    description="Fails its action the moment a safety rule is violated on live robot state.",
    ports=(
        PortModel(
            name="rules",
            type="std::string",
            description="comma-separated checks to run: " + ", ".join(ALL_CHECKS),
            default=",".join(ALL_CHECKS),
            required=False,
        ),
    ),
)


def behaviour_model(cls: type) -> NodeModel:
    """A port-less model of another bt_planner node (mission nodes): decorators stay decorators,
    everything else, composites that build their own children included, is an action."""
    import py_trees

    kind: NodeKind = "Decorator" if issubclass(cls, py_trees.decorators.Decorator) else "Action"
    return NodeModel(id=cls.__name__, kind=kind, description=_summary(cls.__doc__))


def all_models(custom_actions: CustomActionRegistry | None = None) -> dict[str, NodeModel]:
    """Every node model bt_planner knows, by ID (custom actions included when given)."""
    models = {**leaf_models(), SAFETY_GUARD.id: SAFETY_GUARD}
    for name, model in custom_models(custom_actions or CustomActionRegistry()).items():
        if name in models or name in BTCPP_RESERVED:
            raise ValueError(
                f"custom action {name!r} has the ID of a built-in node; register it under another name"
            )
        models[name] = model
    return models


def tree_nodes_model(models: list[NodeModel]) -> ET.Element:
    """``<TreeNodesModel>`` declaring ``models`` (sorted by ID, ports in declaration order)."""
    element = ET.Element("TreeNodesModel")
    for model in sorted(models, key=lambda m: m.id):
        node = ET.SubElement(element, model.kind, {"ID": model.id})
        if model.description:
            ET.SubElement(node, "MetadataFields").append(
                ET.Element("Metadata", {"description": model.description})
            )
        for port in model.ports:
            attributes = {"name": port.name, "type": port.type}
            if port.default is not None:
                attributes["default"] = port.default
            tag = "input_port" if port.direction == "input" else "output_port"
            ET.SubElement(node, tag, attributes).text = port.description or None
    return element
