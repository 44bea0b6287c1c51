"""The ROS parameters of each node, as pydantic models: names, types, defaults and descriptions.

Each field becomes a declared ROS parameter with its description (``ros2 param describe`` shows it); the
launch description passes values by these names. Pure Python, so launch code and docs need no rclpy.
"""

from __future__ import annotations

from typing import Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bt_planner.config import ApprovalPolicy


class _Parameters(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlannerNodeParameters(_Parameters):
    """``bt_planner_node``: the planner and mission tree. Timing defaults come from the config file."""

    world_file: str = Field(default="", description="World YAML file; empty: the packaged kitchen world")
    config_file: str = Field(
        default="",
        description="bt_planner config YAML/TOML; empty: $BT_PLANNER_CONFIG, else built-in defaults",
    )
    autostart: bool = Field(
        default=True,
        description="A managed (lifecycle) node: configure and activate itself at start. False: stay unconfigured "
        "until ~/change_state drives it (bt-planner launch does; so does ros2 lifecycle set)",
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
    max_command_length: int = Field(
        default=10_000,
        ge=1,
        description="Longer commands (robot_command, execute_command) are REJECTED with the numbers",
    )
    max_queued_commands: int = Field(
        default=500,
        ge=1,
        description="Commands received between two ticks beyond this many are REJECTED (queue full)",
    )
    frame_id: str = Field(
        default="map", description="Frame of goal poses and of the odometry the planner expects"
    )
    tree_file: str = Field(default="", description="Mission tree XML; empty: trees/mission.xml as installed")
    robot_adapter: Literal["topics", "nav2"] = Field(
        default="topics",
        description="How the base is driven: 'topics' (goal_pose / goal_status, the simulator's protocol) or "
        "'nav2' (a nav2_msgs/action/NavigateToPose client); manipulation, speech and perception use the topics",
    )
    nav2_action: str = Field(
        default="navigate_to_pose", description="robot_adapter nav2: the NavigateToPose action name"
    )
    nav2_server_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="robot_adapter nav2: a goal fails when no Nav2 server is ready this long (s), saying why",
    )
    nav2_behavior_tree: str = Field(
        default="",
        description="robot_adapter nav2: behavior_tree of every goal; empty: the navigator's default",
    )
    fleet_peers: str = Field(
        default="",
        description="Comma-separated namespaces of other robots in the same world (e.g. /robot2,/robot3): "
        "a plan driving to where one of them stands is refused",
    )
    journal_path: str = Field(
        default="",
        description="Mission journal (SQLite) every command is recorded in; commands a killed node left open "
        "are closed aborted at start. Empty: none (default: journal.path)",
    )
    approval: str = Field(
        default="never",
        description="Operator approval gate: never, always, on_warnings or 'for_actions grasp place'; a waiting "
        "plan is on approval_requests, answer with the decide_approval service (default: execution.approval)",
    )
    approval_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="Wall seconds a plan waits for approval; no answer rejects it (default: "
        "execution.approval.timeout_s)",
    )

    @field_validator("approval")
    @classmethod
    def _valid_policy(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty; use never, always, on_warnings or 'for_actions ACTION [ACTION ...]'")
        ApprovalPolicy.model_validate(value)  # raises with the allowed modes
        return value


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


class FakeNav2Parameters(_Parameters):
    """``fake_nav2_server``: a NavigateToPose server that drives the simulator's base, for tests and demos."""

    mode: Literal["succeed", "reject", "abort", "hang"] = Field(
        default="succeed",
        description="succeed: drive and succeed; reject: refuse goals; abort: abort part-way with "
        "abort_error_code; hang: accept, never move, end only when cancelled (read at each goal)",
    )
    abort_after_fraction: float = Field(
        default=0.5, ge=0, le=1, description="mode abort: abort once this fraction of the distance is covered"
    )
    abort_error_code: int = Field(
        default=9000, ge=0, le=65535, description="mode abort: the result's error_code"
    )
    abort_error_msg: str = Field(
        default="fake Nav2: aborted as configured", description="mode abort: the result's error_msg"
    )
    feedback_rate_hz: float = Field(default=10.0, gt=0, description="Feedback rate while a goal runs (Hz)")
    action_name: str = Field(default="navigate_to_pose", description="Name of the NavigateToPose action")
    frame_id: str = Field(default="map", description="Frame of accepted goals and of the feedback poses")


def markdown_table(model: type[_Parameters]) -> str:
    """A parameter table (name, type, default, description) for the README."""
    rows = ["| parameter | type | default | description |", "| --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        if get_origin(field.annotation) is Literal:
            kind = "str: " + " / ".join(str(choice) for choice in get_args(field.annotation))
        elif isinstance(field.annotation, type):
            kind = field.annotation.__name__
        else:
            kind = str(field.annotation)
        rows.append(f"| `{name}` | {kind} | `{field.default!r}` | {field.description} |")
    return "\n".join(rows)


if __name__ == "__main__":
    for node_model in (PlannerNodeParameters, SimNodeParameters, FakeNav2Parameters):
        print(f"### {node_model.__name__}\n\n{markdown_table(node_model)}\n")
