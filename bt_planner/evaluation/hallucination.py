"""The world names a plan refers to, read from the wire format so unparsable replies count too.

Used twice: the suite check (every reference plan names only what its world has) and the
hallucination metric (names in the model's reply that its world does not have).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict

from bt_planner.core.world import World
from bt_planner.plans.parsing import outermost_json
from bt_planner.plans.vocabulary import NameKind, name_fields


class NamedThing(BaseModel):
    """A location name or object id, with which action named it."""

    model_config = ConfigDict(frozen=True)

    kind: str
    name: str
    action_index: int

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r} (action {self.action_index})"


def referenced_names(actions: Any) -> list[NamedThing]:
    """Every location and object named by a list of wire-format actions; malformed entries are skipped."""
    found: list[NamedThing] = []
    for index, action in enumerate(actions if isinstance(actions, list) else []):
        if not isinstance(action, dict) or not isinstance(params := action.get("parameters"), dict):
            continue
        for field, kind in name_fields(str(action.get("action_type", ""))).items():
            if isinstance(name := params.get(field), str):
                found.append(NamedThing(kind=kind.value, name=name, action_index=index))
    return found


def unknown_names(actions: Any, world: World) -> list[NamedThing]:
    """The names in ``actions`` that ``world`` does not have."""
    return [
        thing
        for thing in referenced_names(actions)
        if thing.name not in (world.locations if thing.kind == NameKind.LOCATION.value else world.objects)
    ]


def reply_actions(raw: str | None) -> Any:
    """The ``actions`` list of a model reply, or ``[]`` when the reply is not a JSON object."""
    if not raw:
        return []
    try:
        data = json.loads(outermost_json(raw))
    except json.JSONDecodeError:
        return []
    return data.get("actions", []) if isinstance(data, dict) else []
