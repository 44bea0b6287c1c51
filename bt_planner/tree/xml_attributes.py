"""Action parameters <-> XML attribute strings, losslessly.

Strings are written as they are, everything else as JSON. py_trees' XML parser reads any value
containing ``{`` or ``}`` as a blackboard-key reference, so ``%``, ``{`` and ``}`` are
percent-encoded (``%25``, ``%7B``, ``%7D``) and decoded on the way back.
"""

from __future__ import annotations

import json
import types
import typing
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel

_ESCAPES = str.maketrans({"%": "%25", "{": "%7B", "}": "%7D"})


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    return unquote(text)


def to_attributes(values: dict[str, Any]) -> dict[str, str]:
    """JSON-ready values (e.g. ``params.model_dump(mode="json", exclude_none=True)``) as attributes."""
    return {
        key: escape(value if isinstance(value, str) else json.dumps(value)) for key, value in values.items()
    }


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return str in args and all(arg in (str, type(None)) for arg in args)
    return False


def from_attributes(model: type[BaseModel], attributes: dict[str, str]) -> dict[str, Any]:
    """Attribute strings back to values, typed by ``model``'s fields (unknown keys: JSON if it parses)."""
    values: dict[str, Any] = {}
    for key, raw in attributes.items():
        text = unescape(raw)
        field = model.model_fields.get(key)
        if field is not None and _is_text(field.annotation):
            values[key] = text
            continue
        try:
            values[key] = json.loads(text)
        except ValueError:
            values[key] = text
    return values
