"""The ROS parameters of each node, as pydantic models: names, types, defaults and descriptions.

Each field becomes a declared ROS parameter with its description (``ros2 param describe`` shows it); the
launch description passes values by these names. Pure Python, so launch code and docs need no rclpy.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Parameters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlannerNodeParameters(_Parameters):
    """``bt_planner_node``: the planner and mission tree. Timing defaults come from the config file."""

    world_file: str = Field(default="", description="World YAML file; empty: the packaged kitchen world")
    config_file: str = Field(
        default="",
        description="bt_planner config YAML/TOML; empty: $BT_PLANNER_CONFIG, else built-in defaults",
    )
    tick_period_s: float = Field(
        default=0.1,
        gt=0,
        description="Seconds between ticks of the mission tree (default: execution.tick_period_s)",
    )
    state_timeout_s: float = Field(
        default=2.0,
        gt=0,
        description="Robot-state topics silent longer than this (s) are stale: guards fail the running action "
        "(default: safety.max_state_age_s)",
    )
    max_replans: int = Field(
        default=2,
        ge=0,
        description="Re-planning attempts after an execution failure (default: execution.max_replans)",
    )
    snapshot_period_s: float = Field(
        default=1.0,
        gt=0,
        description="tree_snapshot is published on every change and at least this often (s)",
    )
    frame_id: str = Field(
        default="map", description="Frame of goal poses and of the odometry the planner expects"
    )
    tree_file: str = Field(default="", description="Mission tree XML; empty: trees/mission.xml as installed")


class SimNodeParameters(_Parameters):
    """``bt_planner_sim``: the simulated humanoid behind the robot topics, in (scaled) real time."""

    world_file: str = Field(default="", description="World YAML file; empty: the packaged kitchen world")
    state_rate_hz: float = Field(
        default=20.0,
        gt=0,
        description="Rate (Hz, wall clock) of odom, battery_state, joint_states, gripper_state",
    )
    time_scale: float = Field(
        default=1.0,
        gt=0,
        description="Simulated seconds per wall-clock second; above 1 runs faster than real time",
    )
    world_state_period_s: float = Field(
        default=0.5, gt=0, description="world_state is published on every change and at least this often (s)"
    )
    frame_id: str = Field(default="map", description="Fixed frame of odometry and accepted goal poses")
    base_frame_id: str = Field(default="base_link", description="child_frame_id of the odometry")


def markdown_table(model: type[_Parameters]) -> str:
    """A parameter table (name, type, default, description) for the README."""
    rows = ["| parameter | type | default | description |", "| --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        kind = field.annotation.__name__ if isinstance(field.annotation, type) else str(field.annotation)
        rows.append(f"| `{name}` | {kind} | `{field.default!r}` | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    for node_model in (PlannerNodeParameters, SimNodeParameters):
        print(f"### {node_model.__name__}\n\n{markdown_table(node_model)}\n")
