"""Declare a node's parameters from a pydantic model, with descriptions, and read them back validated."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node

from bt_planner.errors import InvalidParameters

ParametersT = TypeVar("ParametersT", bound=BaseModel)


def describe(description: str | None) -> Any:
    """A ``rcl_interfaces/ParameterDescriptor`` carrying ``description`` (``ros2 param describe`` shows it)."""
    return ParameterDescriptor(description=description or "")


def declare_parameters(node: Node, defaults: ParametersT, *, skip: tuple[str, ...] = ()) -> ParametersT:
    """Declare every field of ``defaults`` on ``node`` (overrides from the command line apply).

    Fields in ``skip`` are assumed declared already (e.g. ``config_file``, read first because it
    supplies the defaults of the others). Returns the validated values.
    """
    values = {}
    for name, field in type(defaults).model_fields.items():
        if name not in skip:
            node.declare_parameter(name, getattr(defaults, name), describe(field.description))
        values[name] = node.get_parameter(name).value
    try:
        return type(defaults).model_validate(values)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise InvalidParameters(f"node {node.get_name()!r} has invalid parameters: {problems}") from None
