"""A plan as the LLM writes it and ROS consumers read it, validated per action type.

Wire format (unchanged from the original seed)::

    {"actions": [{"action_type": "navigate", "parameters": {...}, "description": "...",
                  "estimated_duration": 12.0}],
     "reasoning": "...", "estimated_total_time": 30.0}

``parameters`` is checked against the model of its ``action_type`` (a discriminated union).
Custom steps are checked against the registry passed in the validation context under
``"custom_actions"``; without a registry every custom step is rejected (fail closed).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.text import SafeTextModel
from bt_planner.plans.actions import (
    ActionType,
    CustomParams,
    DetectParams,
    GraspParams,
    MoveParams,
    NavigateParams,
    PlaceParams,
    SpeakParams,
    TurnParams,
    WaitParams,
)


def _limits(info: ValidationInfo) -> SafetyLimits:
    limits = (info.context or {}).get("limits")
    return limits if isinstance(limits, SafetyLimits) else _DEFAULT_LIMITS


_DEFAULT_LIMITS = SafetyLimits()


def _bounded(text: str, *, limit: int, setting: str) -> str:
    if len(text) > limit:
        raise ValueError(f"is {len(text)} characters long, limit {limit} (safety.{setting})")
    return text


class _ActionBase(SafeTextModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = ""
    estimated_duration: float | None = Field(default=None, ge=0, description="seconds")

    @field_validator("description")
    @classmethod
    def _description_bounded(cls, text: str, info: ValidationInfo) -> str:
        limit = _limits(info).max_description_chars
        return _bounded(text, limit=limit, setting="max_description_chars")


class MoveAction(_ActionBase):
    """Drive the base straight to a point."""

    action_type: Literal[ActionType.MOVE] = ActionType.MOVE
    parameters: MoveParams


class GraspAction(_ActionBase):
    """Close the gripper on a known object."""

    action_type: Literal[ActionType.GRASP] = ActionType.GRASP
    parameters: GraspParams


class PlaceAction(_ActionBase):
    """Put the held object down at a location or point."""

    action_type: Literal[ActionType.PLACE] = ActionType.PLACE
    parameters: PlaceParams


class SpeakAction(_ActionBase):
    """Say a sentence."""

    action_type: Literal[ActionType.SPEAK] = ActionType.SPEAK
    parameters: SpeakParams


class DetectAction(_ActionBase):
    """Look for objects of a type."""

    action_type: Literal[ActionType.DETECT] = ActionType.DETECT
    parameters: DetectParams


class NavigateAction(_ActionBase):
    """Go to a named location."""

    action_type: Literal[ActionType.NAVIGATE] = ActionType.NAVIGATE
    parameters: NavigateParams


class WaitAction(_ActionBase):
    """Stay still for a while."""

    action_type: Literal[ActionType.WAIT] = ActionType.WAIT
    parameters: WaitParams


class TurnAction(_ActionBase):
    """Turn in place."""

    action_type: Literal[ActionType.TURN] = ActionType.TURN
    parameters: TurnParams


class CustomAction(_ActionBase):
    """Run a registered custom action."""

    action_type: Literal[ActionType.CUSTOM] = ActionType.CUSTOM
    parameters: CustomParams

    @field_validator("parameters")
    @classmethod
    def _registered(cls, params: CustomParams, info: ValidationInfo) -> CustomParams:
        registry = (info.context or {}).get("custom_actions")
        if registry is None:
            raise ValueError(f"custom action {params.name!r} is not registered (no custom actions exist)")
        validated: CustomParams = registry.validate_params(params)
        return validated


Action = Annotated[
    MoveAction
    | GraspAction
    | PlaceAction
    | SpeakAction
    | DetectAction
    | NavigateAction
    | WaitAction
    | TurnAction
    | CustomAction,
    Field(discriminator="action_type"),
]


class Plan(SafeTextModel):
    """An ordered list of actions with the model's reasoning and its time estimate (seconds).

    Strings are valid Unicode (``bt_planner.core.text.safe_text``); ``description`` and
    ``reasoning`` are at most ``safety.max_description_chars`` / ``max_reasoning_chars`` long when
    the limits are passed in the validation context under ``"limits"`` (else the defaults).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    actions: list[Action]
    reasoning: str = ""
    estimated_total_time: float | None = Field(default=None, ge=0, description="seconds")

    @field_validator("reasoning")
    @classmethod
    def _reasoning_bounded(cls, text: str, info: ValidationInfo) -> str:
        limit = _limits(info).max_reasoning_chars
        return _bounded(text, limit=limit, setting="max_reasoning_chars")

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready seed format published to ROS consumers."""
        return self.model_dump(mode="json")
