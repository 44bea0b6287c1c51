"""Safety limits: the ``safety`` section of the configuration.

Limits come from configuration only, never from the command or the model's output. The verifier
checks plans against them before execution and the tree's guards re-check them at every tick.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

DEFAULT_FORBIDDEN_WORDS = (
    "kill",
    "hurt",
    "harm",
    "attack",
    "stab",
    "punch",
    "kick",
    "destroy",
    "break",
    "smash",
    "burn",
    "poison",
    "weapon",
)


class SafetyLimits(BaseModel):
    """Every number a plan must respect. Units are in the field names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_move_distance_m: float = Field(default=10.0, gt=0, description="per move / navigate action")
    max_plan_distance_m: float = Field(default=50.0, gt=0, description="summed over the whole plan")
    max_speed_mps: float = Field(default=1.0, gt=0)
    max_payload_kg: float = Field(default=2.0, ge=0)
    unknown_weight_policy: Literal["reject", "warn"] = "warn"
    min_battery_percent: float = Field(default=20.0, ge=0, le=100)
    battery_percent_per_m: float = Field(default=0.5, ge=0, description="estimated drain while driving")
    battery_percent_per_s: float = Field(default=0.01, ge=0, description="estimated idle drain")
    forbidden_actions: tuple[str, ...] = Field(
        default=(), description="action types (e.g. 'move') or custom action names"
    )
    zone_margin_m: float = Field(default=0.3, ge=0, description="kept from forbidden zones")
    obstacle_margin_m: float = Field(default=0.2, ge=0, description="kept from obstacles")
    navigate_path_policy: Literal["reject", "warn"] = Field(
        default="reject",
        description="zones/obstacles on a navigate step's straight line: reject, or warn when a path planner"
        " routes around them",
    )
    min_wait_s: float = Field(default=0.0, ge=0)
    max_wait_s: float = Field(default=300.0, ge=0)
    max_turn_deg: float = Field(default=360.0, gt=0)
    max_plan_length: int = Field(default=30, ge=1)
    forbidden_words: tuple[str, ...] = DEFAULT_FORBIDDEN_WORDS
    screen_commands: bool = Field(
        default=True, description="refuse commands containing a forbidden word before asking the model"
    )
    reach_m: float = Field(default=1.0, gt=0, description="grasp / place reach from the base, planar")
    require_detect_before_grasp: bool = False
    max_state_age_s: float = Field(default=2.0, gt=0, description="robot state older than this is stale")

    @model_validator(mode="after")
    def _wait_bounds_ordered(self) -> SafetyLimits:
        if self.min_wait_s > self.max_wait_s:
            raise ValueError(
                f"min_wait_s ({self.min_wait_s} s) must not exceed max_wait_s ({self.max_wait_s} s)"
            )
        return self
