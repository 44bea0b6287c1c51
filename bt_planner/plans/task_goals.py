"""Goal mode's wire format: *what* the user wants, as a short typed list, in the order they asked.

In goal mode the model writes a ``GoalList`` instead of steps, and the symbolic planner
(``bt_planner.planning.symbolic_planner``) works out *how*: which locations to drive to, when to
detect, when to put something down first. Names are world ids (the request's schema makes them
enums), so a goal can only name what exists; asking for something the world lacks is said
explicitly with ``not_in_world`` and fails closed.

=================  ==================================================================  ==========================
goal               meaning                                                             ends with
=================  ==================================================================  ==========================
``go_to``          drive to a named location (optionally at a ``speed`` the user asked)  robot at ``location``
``go_to_point``    drive to a point (world frame, metres; optional ``speed``)          robot at (``x``, ``y``)
``deliver``        take an object to a location and put it down there                  object on ``location``
``hold``           pick an object up and keep it                                       holding ``object``
``find``           look for objects of a type, optionally around a location           the type detected
``say``            say a sentence (where the robot is at that point of the list)       sentence spoken
``wait``           stay still                                                          ``seconds`` passed
``turn``           turn in place by ``degrees`` to the ``direction`` (left or right)     heading changed
``custom``         a registered custom action (``name`` plus its parameters)           the action ran
``refuse``         decline a harmful request; ``reason`` says why                      nothing runs
``not_in_world``   the command asks for a place or thing this world does not have      nothing runs
=================  ==================================================================  ==========================

Limits (weight, distance, speed, zones, battery) are not the model's to judge: verification checks
the expanded plan against the configured limits and names the numbers.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field

from bt_planner.core.text import SafeTextModel


class GoalKind(str, Enum):
    """The kinds of goal a ``GoalList`` may hold."""

    GO_TO = "go_to"
    GO_TO_POINT = "go_to_point"
    DELIVER = "deliver"
    HOLD = "hold"
    FIND = "find"
    SAY = "say"
    WAIT = "wait"
    TURN = "turn"
    CUSTOM = "custom"
    REFUSE = "refuse"
    NOT_IN_WORLD = "not_in_world"


class _Goal(SafeTextModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoToGoal(_Goal):
    """Drive to a named location, at ``speed`` m/s if the user asked for one."""

    goal: Literal["go_to"] = "go_to"
    location: str = Field(min_length=1)
    speed: float | None = Field(default=None, gt=0, description="m/s, only if the user asked for a speed")


class GoToPointGoal(_Goal):
    """Drive to a point of the world frame (metres), at ``speed`` m/s if the user asked for one."""

    goal: Literal["go_to_point"] = "go_to_point"
    x: float
    y: float
    speed: float | None = Field(default=None, gt=0, description="m/s, only if the user asked for a speed")


class DeliverGoal(_Goal):
    """Take ``object`` to ``location`` and put it down there."""

    goal: Literal["deliver"] = "deliver"
    object: str = Field(min_length=1)
    location: str = Field(min_length=1)


class HoldGoal(_Goal):
    """Pick ``object`` up and keep holding it."""

    goal: Literal["hold"] = "hold"
    object: str = Field(min_length=1)


class FindGoal(_Goal):
    """Look for objects of ``object_type`` (a world type), around ``area`` if given."""

    goal: Literal["find"] = "find"
    object_type: str = Field(min_length=1)
    area: str | None = None


class SayGoal(_Goal):
    """Say ``text`` through the robot's speaker."""

    goal: Literal["say"] = "say"
    text: str = Field(min_length=1, max_length=500)


class WaitGoal(_Goal):
    """Stay still for ``seconds``."""

    goal: Literal["wait"] = "wait"
    seconds: float = Field(ge=0)


class TurnGoal(_Goal):
    """Turn in place by ``degrees`` towards ``direction`` (left is counter-clockwise).

    The direction is a word, not a sign: a small model copies "right" from the request far more
    reliably than it applies a sign convention (asked for a sign, Qwen2.5-Coder-1.5B turned "right
    45 degrees" the wrong way).
    """

    goal: Literal["turn"] = "turn"
    direction: Literal["left", "right"] = "left"
    degrees: float = Field(description="how far, in degrees (a negative value turns the other way)")

    @property
    def angle(self) -> float:
        """The signed turn, counter-clockwise positive (a ``turn`` action's ``angle``)."""
        return self.degrees if self.direction == "left" else -self.degrees


class CustomGoal(SafeTextModel):
    """Run the registered custom action ``name`` with its own parameters (flattened beside ``name``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    goal: Literal["custom"] = "custom"
    name: str = Field(min_length=1)

    @property
    def arguments(self) -> dict[str, Any]:
        """The custom action's parameters, without ``goal`` and ``name``."""
        return dict(self.model_extra or {})


class RefuseGoal(_Goal):
    """Decline the command because it asks for harm; ``reason`` is shown to the user."""

    goal: Literal["refuse"] = "refuse"
    reason: str = Field(min_length=1)


class NotInWorldGoal(_Goal):
    """The command names a place or thing the world does not have (``name`` as the user said it)."""

    goal: Literal["not_in_world"] = "not_in_world"
    name: str = Field(min_length=1)


Goal = Annotated[
    GoToGoal
    | GoToPointGoal
    | DeliverGoal
    | HoldGoal
    | FindGoal
    | SayGoal
    | WaitGoal
    | TurnGoal
    | CustomGoal
    | RefuseGoal
    | NotInWorldGoal,
    Field(discriminator="goal"),
]
"""One goal of a ``GoalList``, told apart by its ``goal`` field."""


class GoalList(SafeTextModel):
    """What the user asked for, in order. An empty list means there is nothing to do."""

    model_config = ConfigDict(frozen=True)

    goals: list[Goal] = Field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready form a model writes (``{"goals": [...]}``)."""
        return self.model_dump(mode="json", exclude_none=False)


def describe_goal(goal: Goal) -> str:
    """A short human form of one goal, for messages: ``deliver(red_cup → table)``."""
    if isinstance(goal, GoToGoal):
        return f"go_to({goal.location})"
    if isinstance(goal, GoToPointGoal):
        return f"go_to_point({goal.x:g}, {goal.y:g})"
    if isinstance(goal, DeliverGoal):
        return f"deliver({goal.object} → {goal.location})"
    if isinstance(goal, HoldGoal):
        return f"hold({goal.object})"
    if isinstance(goal, FindGoal):
        return f"find({goal.object_type}{', ' + goal.area if goal.area else ''})"
    if isinstance(goal, SayGoal):
        return f"say({goal.text!r})"
    if isinstance(goal, WaitGoal):
        return f"wait({goal.seconds:g} s)"
    if isinstance(goal, TurnGoal):
        return f"turn({goal.direction} {goal.degrees:g}°)"
    if isinstance(goal, CustomGoal):
        return f"custom({goal.name})"
    if isinstance(goal, RefuseGoal):
        return f"refuse({goal.reason!r})"
    return f"not_in_world({goal.name!r})"
