"""How long an action may run: ``TimeoutPolicy`` and the duration estimate it scales.

timeout = max(floor_s, multiplier * max(the plan's estimated_duration, our own estimate)).
Our estimate uses nominal speeds, so a model that underestimates cannot make a timeout too tight.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.geometry import Vec2
from bt_planner.plans.plan import (
    Action,
    DetectAction,
    GraspAction,
    MoveAction,
    NavigateAction,
    PlaceAction,
    SpeakAction,
    TurnAction,
    WaitAction,
)


class TimeoutPolicy(BaseModel):
    """Numbers behind every action timeout. Units are in the names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    floor_s: float = Field(default=10.0, gt=0, description="no action times out sooner than this")
    multiplier: float = Field(default=3.0, ge=1)
    nominal_speed_mps: float = Field(default=0.5, gt=0, description="walking speed assumed for estimates")
    nominal_turn_rate_deg_s: float = Field(default=45.0, gt=0)
    manipulation_s: float = Field(default=5.0, gt=0, description="grasp or place")
    detect_s: float = Field(default=3.0, gt=0)
    speech_chars_per_s: float = Field(default=10.0, gt=0)
    custom_s: float = Field(default=30.0, gt=0, description="estimate for custom actions")


def estimate_s(action: Action, *, start: Vec2, end: Vec2, policy: TimeoutPolicy) -> float:
    """Our own estimate of how long ``action`` takes when the base goes from ``start`` to ``end``."""
    if isinstance(action, (MoveAction, NavigateAction)):
        distance = math.hypot(end.x - start.x, end.y - start.y)
        return distance / policy.nominal_speed_mps + 180.0 / policy.nominal_turn_rate_deg_s
    if isinstance(action, TurnAction):
        angle = action.parameters.angle
        return (abs(angle) if angle is not None else 180.0) / policy.nominal_turn_rate_deg_s
    if isinstance(action, (GraspAction, PlaceAction)):
        return policy.manipulation_s
    if isinstance(action, DetectAction):
        return policy.detect_s
    if isinstance(action, SpeakAction):
        return len(action.parameters.message) / policy.speech_chars_per_s
    if isinstance(action, WaitAction):
        return action.parameters.duration_seconds
    return policy.custom_s


def timeout_s(action: Action, *, start: Vec2, end: Vec2, policy: TimeoutPolicy) -> float:
    """The timeout of ``action``: the larger estimate, scaled, never below the floor."""
    ours = estimate_s(action, start=start, end=end, policy=policy)
    theirs = action.estimated_duration or 0.0
    return max(policy.floor_s, policy.multiplier * max(ours, theirs))
