"""Action parameters <-> BT.CPP v4 port strings, losslessly.

* text is written as it is; numbers as JSON numbers (``1.5``); booleans as ``true``/``false``;
  objects and lists in BT.CPP's own JSON convention, ``json:{"x": 1.0, "y": 2.0}``;
* BT.CPP reads a whole value of the form ``{key}`` as a blackboard remap, so a *literal* text that
  looks like one (or starts with the escape ``\\``) is written with a leading ``\\``, which is
  dropped on the way back. ``{key}`` written by a tree author stays a remap (see ``is_remap``).
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel

ESCAPE = "\\"
JSON_PREFIX = "json:"


def is_remap(text: str) -> bool:
    """True when BT.CPP reads ``text`` as a blackboard remap (``{key}``)."""
    stripped = text.strip()
    return len(stripped) >= 2 and stripped.startswith("{") and stripped.endswith("}")


def remap_key(text: str) -> str:
    """The blackboard key of a remap ``{key}``."""
    return text.strip()[1:-1].strip()


def escape(text: str) -> str:
    """A literal text as a port string BT.CPP will not read as a remap."""
    return ESCAPE + text if is_remap(text) or text.startswith(ESCAPE) else text


def unescape(text: str) -> str:
    """The literal text of a port string written by ``escape``."""
    return text[len(ESCAPE) :] if text.startswith(ESCAPE) else text


def port_text(value: Any) -> str:
    """One JSON-ready value (``model_dump(mode="json")``) as a port string."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return JSON_PREFIX + json.dumps(value, separators=(",", ":"), sort_keys=True)


def to_attributes(values: dict[str, Any]) -> dict[str, str]:
    """JSON-ready values (e.g. ``params.model_dump(mode="json", exclude_none=True)``) as ports."""
    return {key: port_text(value) for key, value in values.items()}


def is_text(annotation: Any) -> bool:
    """True when a field annotated ``annotation`` holds text (``str`` or ``str | None``)."""
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return str in args and all(arg in (str, type(None)) for arg in args)
    return False


def port_value(text: str, *, annotation: Any = None) -> Any:
    """A port string back to its value, typed by a field's ``annotation`` (None: guess)."""
    if annotation is not None and is_text(annotation):
        return unescape(text)
    if text.startswith(JSON_PREFIX):
        return json.loads(text[len(JSON_PREFIX) :])
    if text in ("true", "false"):
        return text == "true"
    try:
        return json.loads(text)
    except ValueError:
        return unescape(text)


def from_attributes(model: type[BaseModel], attributes: dict[str, str]) -> dict[str, Any]:
    """Port strings back to values, typed by ``model``'s fields (unknown keys: guessed)."""
    values: dict[str, Any] = {}
    for key, raw in attributes.items():
        field = model.model_fields.get(key)
        values[key] = port_value(raw, annotation=field.annotation if field is not None else None)
    return values
