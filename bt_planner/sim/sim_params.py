"""``SimParams``: the physical limits and timings of the simulated humanoid. Units are in the names."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SimParams(BaseModel):
    """Defaults describe a slow indoor humanoid; every number can be overridden per test."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_linear_speed_mps: float = Field(default=0.5, gt=0)
    max_turn_rate_rad_s: float = Field(default=1.0, gt=0)
    battery_percent_per_m: float = Field(default=0.5, ge=0, description="drain while walking")
    battery_percent_per_s: float = Field(default=0.01, ge=0, description="drain whatever the robot does")
    perception_range_m: float = Field(default=2.5, gt=0, description="planar, from the robot")
    search_radius_m: float = Field(default=1.5, gt=0, description="around a detect goal's search point")
    reach_m: float = Field(default=1.0, gt=0, description="planar, from the base, for grasp and place")
    location_radius_m: float = Field(default=1.0, gt=0, description="how close counts as 'at' a location")
    max_payload_kg: float = Field(default=5.0, ge=0)
    robot_radius_m: float = Field(default=0.3, gt=0, description="footprint used for obstacle contact")
    detect_duration_s: float = Field(default=1.0, ge=0)
    grasp_duration_s: float = Field(default=2.0, ge=0)
    place_duration_s: float = Field(default=2.0, ge=0)
    speech_chars_per_s: float = Field(default=15.0, gt=0)
    min_speech_s: float = Field(default=0.5, ge=0)
    hand_offset_m: float = Field(default=0.3, ge=0, description="held object, ahead of the base")
    hand_height_m: float = Field(default=0.9, ge=0)
    surface_height_m: float = Field(default=0.75, ge=0, description="place height at a location with z=0")
    position_tolerance_m: float = Field(default=0.02, gt=0)
    heading_tolerance_rad: float = Field(default=0.01, gt=0)
