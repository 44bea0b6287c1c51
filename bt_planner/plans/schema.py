"""The per-request JSON schema for a plan, generated from the pydantic models.

Location names and object ids become enums of the current world's names, and each registered
custom action becomes its own variant, so a decoder constrained by the schema cannot name what does
not exist. The output is in the strict subset that OpenAI's structured outputs and llama.cpp's
grammar compiler both accept: every object closed and fully required (optional values are
nullable), ``anyOf`` instead of ``oneOf``, no ``$ref``, no ``default``/``title``.

Schemas are memoised per vocabulary; callers must treat the returned dict as read-only.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from pydantic import BaseModel

from bt_planner.core.world import World
from bt_planner.plans.actions import PARAMS_BY_TYPE, ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.task_goals import GoalKind, GoalList
from bt_planner.plans.vocabulary import GOAL_NAME_FIELDS, NAME_FIELDS, NameKind

JsonSchema = dict[str, Any]

_KEEP = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "anyOf",
        "description", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
    }
)  # fmt: skip


def _strict(node: Any, defs: dict[str, Any]) -> Any:
    """Inline ``$ref``, close objects, require every key, turn ``oneOf``/``const`` into ``anyOf``/``enum``."""
    if isinstance(node, list):
        return [_strict(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _strict(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "oneOf":
            out["anyOf"] = _strict(value, defs)
        elif key == "const":
            out["enum"] = [value]
        elif key in _KEEP:
            out[key] = _strict(value, defs) if key in {"properties", "items", "anyOf"} else value
    if "properties" in out:
        out["properties"] = {name: _strict(sub, defs) for name, sub in node["properties"].items()}
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
        out["type"] = "object"
    return out


@functools.cache
def _params_schema(model: type[BaseModel]) -> JsonSchema:
    raw = model.model_json_schema()
    strict: JsonSchema = _strict(raw, raw.get("$defs", {}))
    return strict


def _with_enum(prop: JsonSchema, names: tuple[str, ...]) -> JsonSchema:
    nullable = "anyOf" in prop and any(branch.get("type") == "null" for branch in prop["anyOf"])
    named: JsonSchema = {"type": "string", "enum": list(names)}
    if "description" in prop:
        named["description"] = prop["description"]
    return {"anyOf": [named, {"type": "null"}]} if nullable else named


def _variant(action_type: str, params: JsonSchema) -> JsonSchema:
    return {
        "type": "object",
        "properties": {
            "action_type": {"type": "string", "enum": [action_type]},
            "parameters": params,
            "description": {"type": "string"},
            "estimated_duration": {"anyOf": [{"type": "number"}, {"type": "null"}], "description": "seconds"},
        },
        "required": ["action_type", "parameters", "description", "estimated_duration"],
        "additionalProperties": False,
    }


@functools.lru_cache(maxsize=64)
def _schema_for(
    locations: tuple[str, ...], objects: tuple[str, ...], customs: tuple[tuple[str, type[BaseModel]], ...]
) -> JsonSchema:
    vocab = {NameKind.LOCATION: locations, NameKind.OBJECT: objects}
    variants: list[JsonSchema] = []
    for action_type, model in PARAMS_BY_TYPE.items():
        if action_type is ActionType.CUSTOM:
            continue
        params = copy.deepcopy(_params_schema(model))
        fields = NAME_FIELDS.get(action_type, {})
        required_but_empty = any(
            not vocab[kind] and "anyOf" not in params["properties"][field] for field, kind in fields.items()
        )
        if required_but_empty:
            continue  # e.g. no objects in the world: grasp cannot be written at all
        for field, kind in fields.items():
            if vocab[kind]:
                params["properties"][field] = _with_enum(params["properties"][field], vocab[kind])
            else:
                params["properties"][field] = {"type": "null"}
        variants.append(_variant(action_type.value, params))
    for name, model in customs:
        params = copy.deepcopy(_params_schema(model))
        params["properties"] = {"name": {"type": "string", "enum": [name]}, **params.get("properties", {})}
        params["required"] = list(params["properties"])
        params["additionalProperties"] = False
        params["type"] = "object"
        variants.append(_variant(ActionType.CUSTOM.value, params))
    return {
        "type": "object",
        "properties": {
            "actions": {"type": "array", "items": {"anyOf": variants}},
            "reasoning": {"type": "string"},
            "estimated_total_time": {
                "anyOf": [{"type": "number"}, {"type": "null"}],
                "description": "seconds",
            },
        },
        "required": ["actions", "reasoning", "estimated_total_time"],
        "additionalProperties": False,
    }


def plan_json_schema(world: World, custom_actions: CustomActionRegistry | None = None) -> JsonSchema:
    """The strict plan schema for this world and these custom actions (memoised; do not mutate)."""
    locations, objects = world.names()
    customs = tuple((spec.name, spec.params_model) for spec in custom_actions or ())
    return _schema_for(locations, objects, customs)


MAX_GOALS = 10
"""The longest goal list a model may write: commands name a few goals; a longer list is a runaway."""


@functools.cache
def _goal_variants() -> dict[GoalKind, JsonSchema]:
    """Each goal kind's strict schema, names still free strings (``goal`` pinned to its kind)."""
    raw = GoalList.model_json_schema()
    defs = raw.get("$defs", {})
    variants: dict[GoalKind, JsonSchema] = {}
    for ref in raw["properties"]["goals"]["items"]["oneOf"]:
        variant: JsonSchema = _strict(ref, defs)
        kind = GoalKind(variant["properties"]["goal"]["enum"][0])
        if kind is not GoalKind.CUSTOM:
            variants[kind] = variant
    return variants


@functools.lru_cache(maxsize=64)
def _goal_schema_for(
    locations: tuple[str, ...],
    objects: tuple[str, ...],
    types: tuple[str, ...],
    customs: tuple[tuple[str, type[BaseModel]], ...],
) -> JsonSchema:
    vocab = {NameKind.LOCATION: locations, NameKind.OBJECT: objects, NameKind.OBJECT_TYPE: types}
    variants: list[JsonSchema] = []
    for kind, base in _goal_variants().items():
        variant = copy.deepcopy(base)
        fields = GOAL_NAME_FIELDS.get(kind, {})
        props = variant["properties"]
        if any(not vocab[k] and "anyOf" not in props[f] for f, k in fields.items()):
            continue  # e.g. no objects in the world: deliver and hold cannot be written at all
        for field, name_kind in fields.items():
            props[field] = (
                _with_enum(props[field], vocab[name_kind]) if vocab[name_kind] else {"type": "null"}
            )
        variants.append(variant)
    for name, model in customs:
        params = copy.deepcopy(_params_schema(model))
        props = {
            "goal": {"type": "string", "enum": [GoalKind.CUSTOM.value]},
            "name": {"type": "string", "enum": [name]},
            **params.get("properties", {}),
        }
        variants.append(
            {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}
        )
    return {
        "type": "object",
        "properties": {"goals": {"type": "array", "items": {"anyOf": variants}, "maxItems": MAX_GOALS}},
        "required": ["goals"],
        "additionalProperties": False,
    }


def goal_json_schema(world: World, custom_actions: CustomActionRegistry | None = None) -> JsonSchema:
    """The strict goal-list schema for this world (goal mode): names, object types and custom goals
    are enums of what exists (memoised; do not mutate)."""
    locations, objects = world.names()
    types = tuple(sorted({obj.type for obj in world.objects.values()}))
    customs = tuple((spec.name, spec.params_model) for spec in custom_actions or ())
    return _goal_schema_for(locations, objects, types, customs)


__all__ = ["MAX_GOALS", "JsonSchema", "goal_json_schema", "plan_json_schema"]
