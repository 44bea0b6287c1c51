"""The world names a plan or a goal list refers to, read from the wire format so unparsable replies count too.

Used twice: the suite check (every reference plan and reference goal list names only what its
world has) and the hallucination metric (names in the model's reply that its world does not have).
A reply is either an action plan (``{"actions": [...]}``) or, in goal mode, a goal list
(``{"goals": [...]}``); the name-bearing fields of both come from ``plans.vocabulary``.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from bt_planner.core.world import World
from bt_planner.plans.parsing import outermost_json
from bt_planner.plans.vocabulary import NameKind, goal_name_fields, name_fields


class NamedThing(BaseModel):
    """A location name, object id or object type, with which action or goal named it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    index: int
    item: Literal["action", "goal"] = "action"

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r} ({self.item} {self.index})"


def referenced_names(items: Any) -> list[NamedThing]:
    """Every name in a list of wire-format actions or goals; malformed entries are skipped."""
    found: list[NamedThing] = []
    for index, entry in enumerate(items if isinstance(items, list) else []):
        if not isinstance(entry, dict):
            continue
        if "action_type" in entry:
            params = entry.get("parameters")
            fields, values, item = name_fields(str(entry["action_type"])), params, "action"
        else:
            fields, values, item = goal_name_fields(str(entry.get("goal", ""))), entry, "goal"
        if not isinstance(values, dict):
            continue
        for field, kind in fields.items():
            if isinstance(name := values.get(field), str):
                found.append(NamedThing(kind=kind.value, name=name, index=index, item=item))
    return found


def _known(world: World, kind: str) -> set[str]:
    if kind == NameKind.LOCATION.value:
        return set(world.locations)
    if kind == NameKind.OBJECT.value:
        return set(world.objects)
    return {obj.type for obj in world.objects.values()}


def unknown_names(items: Any, world: World) -> list[NamedThing]:
    """The names in ``items`` (wire-format actions or goals) that ``world`` does not have."""
    return [thing for thing in referenced_names(items) if thing.name not in _known(world, thing.kind)]


def reply_actions(raw: str | None) -> Any:
    """The ``actions`` list of a model reply (a goal-mode reply: its ``goals``), or ``[]`` when the
    reply is not a JSON object."""
    if not raw:
        return []
    try:
        data = json.loads(outermost_json(raw))
    except (RecursionError, ValueError):  # not JSON (JSONDecodeError), nested too deep, numbers too long
        return []
    if not isinstance(data, dict):
        return []
    return data["actions"] if "actions" in data else data.get("goals", [])
