"""Plan-level constraints the grammar cannot express, applied while decoding.

A grammar is context-free: it can say that a navigate step names one of the world's locations, but
not that it names a different one from where the robot already is. A 270M model often copies the
most recent location again ("carry it to the kitchen" right after picking the cup up in the kitchen),
and a navigate step to where the robot already stands is always a no-op, so the decoder vetoes it:
while writing a navigate step's ``location_name``, tokens that can only spell the robot's current
location (the previous navigate step's target, when no ``move`` came after it) are not allowed.
The converse holds for ``place``: the arm reaches only around the robot, so a place step that names
a location must name the one the robot is at; there only that name may be written.

Both rules are about action plans: a request whose schema has no top-level ``actions`` array (goal
mode's ``goal_list``, whose schema has a top-level ``goals`` array instead) gets no veto at all
(``plan_veto``), so its replies are exactly what the grammar and the model make of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bt_planner.plans.actions import ActionType
from bt_planner.plans.vocabulary import location_field

_STRING = r'"(?:[^"\\]|\\.)*"'
_DESCRIPTION = r'(?:"description":' + _STRING + r",)?"
_NAVIGATE_FIELD = location_field(ActionType.NAVIGATE)
_PLACE_FIELD = location_field(ActionType.PLACE)


def _step_opening(action_type: ActionType, field: str) -> str:
    return f'"action_type":"{action_type.value}",' + _DESCRIPTION + f'"parameters":\\{{"{field}":"'


_OPEN_STEP = re.compile(
    f"(?:{_step_opening(ActionType.NAVIGATE, _NAVIGATE_FIELD)}|{_step_opening(ActionType.PLACE, _PLACE_FIELD)})"
    + r'([^"]*)$'
)
_DONE_NAVIGATE = re.compile(_step_opening(ActionType.NAVIGATE, _NAVIGATE_FIELD) + r'([^"]*)"')
_MOVE = f'"action_type":"{ActionType.MOVE.value}"'


def navigate_locations(schema: dict[str, Any]) -> tuple[str, ...]:
    """The location names a navigate step may use under ``schema`` (empty if it has none)."""
    try:
        variants = schema["properties"]["actions"]["items"]["anyOf"]
    except (KeyError, TypeError):
        return ()
    for variant in variants:
        props = variant.get("properties", {})
        if props.get("action_type", {}).get("enum") == [ActionType.NAVIGATE.value]:
            field = props.get("parameters", {}).get("properties", {}).get(_NAVIGATE_FIELD, {})
            names = field.get("enum")
            return tuple(str(n) for n in names or ())
    return ()


def writes_actions(schema: dict[str, Any]) -> bool:
    """Whether ``schema`` is an action plan's: an object with a top-level ``actions`` array."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return False
    actions = properties.get("actions")
    return isinstance(actions, dict) and actions.get("type") == "array"


def plan_veto(schema: dict[str, Any]) -> NoStayNavigate | None:
    """The decode-time veto for replies under ``schema``: one for action plans, ``None`` otherwise."""
    return NoStayNavigate(navigate_locations(schema)) if writes_actions(schema) else None


class NoStayNavigate:
    """Vetoes a navigate step to the location the robot is already at, and a place step elsewhere."""

    def __init__(self, locations: Sequence[str]) -> None:
        self.locations = tuple(locations)

    def open_value(self, text: str) -> tuple[bool, str, str] | None:
        """While a navigate or place step's location is being written and the robot's location is
        known: (whether the step navigates, the robot's location, the value written so far)."""
        if not self.locations:
            return None
        opened = _OPEN_STEP.search(text)
        if opened is None:
            return None
        before = text[: opened.start()]
        last = None
        for done in _DONE_NAVIGATE.finditer(before):
            last = done
        if last is None or before.find(_MOVE, last.end()) != -1:
            return None
        navigating = opened.group(0).startswith(f'"action_type":"{ActionType.NAVIGATE.value}"')
        return navigating, last.group(1), opened.group(1)

    def allows(self, navigating: bool, here: str, written: str, piece: str) -> bool:
        """Whether ``written + piece`` can still become an allowed location name: any but ``here``
        for a navigate step, only ``here`` for a place step."""
        value = written + piece
        for name in self.locations:
            if (name == here) == navigating:
                continue
            closed = name + '"'
            if closed.startswith(value) or value.startswith(closed):
                return True
        return False
