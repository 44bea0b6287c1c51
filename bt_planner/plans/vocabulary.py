"""Which action parameters and goal fields name a world location, object or object type: one table.

The plan schema turns these fields into enums of the world's names, the evaluation's hallucination
check reads them from raw replies, and the embedded model's decode-time constraints find the
location a step is writing through them. A new action parameter that names something is added
here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from bt_planner.plans.actions import ActionType
from bt_planner.plans.task_goals import GoalKind


class NameKind(str, Enum):
    """What a name refers to in the world."""

    LOCATION = "location"
    OBJECT = "object"
    OBJECT_TYPE = "object_type"


NAME_FIELDS: Mapping[ActionType, Mapping[str, NameKind]] = MappingProxyType(
    {
        ActionType.NAVIGATE: {"location_name": NameKind.LOCATION},
        ActionType.PLACE: {"location_name": NameKind.LOCATION},
        ActionType.DETECT: {"search_area": NameKind.LOCATION},
        ActionType.GRASP: {"object_id": NameKind.OBJECT},
    }
)
"""Per action type: parameter name → the kind of world name it holds."""

GOAL_NAME_FIELDS: Mapping[GoalKind, Mapping[str, NameKind]] = MappingProxyType(
    {
        GoalKind.GO_TO: {"location": NameKind.LOCATION},
        GoalKind.DELIVER: {"object": NameKind.OBJECT, "location": NameKind.LOCATION},
        GoalKind.HOLD: {"object": NameKind.OBJECT},
        GoalKind.FIND: {"object_type": NameKind.OBJECT_TYPE, "area": NameKind.LOCATION},
    }
)
"""Per goal kind (goal mode): field name → the kind of world name it holds."""


def name_fields(action_type: str) -> Mapping[str, NameKind]:
    """The name-bearing parameters of a wire-format ``action_type`` (empty for unknown types)."""
    try:
        return NAME_FIELDS.get(ActionType(action_type), {})
    except ValueError:
        return {}


def goal_name_fields(goal: str) -> Mapping[str, NameKind]:
    """The name-bearing fields of a wire-format goal kind (empty for unknown kinds)."""
    try:
        return GOAL_NAME_FIELDS.get(GoalKind(goal), {})
    except ValueError:
        return {}


def location_field(action_type: ActionType) -> str:
    """The parameter of ``action_type`` that names a location; ``KeyError`` if it has none."""
    for field, kind in NAME_FIELDS[action_type].items():
        if kind is NameKind.LOCATION:
            return field
    raise KeyError(action_type)
