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
    screen_languages: tuple[str, ...] = Field(
        default=("en", "es", "fr", "de", "it", "pt", "ru"),
        description="built-in harm word lists used besides forbidden_words (bt_planner.verification.harm_lexicon)",
    )
    screen_commands: bool = Field(
        default=True, description="refuse commands containing a forbidden word before asking the model"
    )
    reach_m: float = Field(default=1.0, gt=0, description="grasp / place reach from the base, planar")
    require_detect_before_grasp: bool = False
    max_state_age_s: float = Field(default=2.0, gt=0, description="robot state older than this is stale")
    world_margin_m: float = Field(
        default=5.0,
        ge=0,
        description="targets (x, y) may lie at most this far outside the box around everything in the world",
    )
    world_z_margin_m: float = Field(
        default=1.0,
        ge=0,
        description="target heights (z) may lie at most this far outside the world's heights",
    )
    max_command_chars: int = Field(default=2000, ge=1, description="longer commands are refused unplanned")
    max_reply_chars: int = Field(
        default=200_000, ge=1, description="longer model replies are rejected unparsed"
    )
    max_json_depth: int = Field(
        default=32, ge=2, description="nesting of arrays and objects in a model reply"
    )
    max_number_chars: int = Field(default=40, ge=1, description="characters of one number literal in a reply")
    max_description_chars: int = Field(default=500, ge=1, description="an action's description")
    max_reasoning_chars: int = Field(default=4000, ge=1, description="a plan's reasoning")

    @model_validator(mode="after")
    def _wait_bounds_ordered(self) -> SafetyLimits:
        if self.min_wait_s > self.max_wait_s:
            raise ValueError(
                f"min_wait_s ({self.min_wait_s} s) must not exceed max_wait_s ({self.max_wait_s} s)"
            )
        return self
