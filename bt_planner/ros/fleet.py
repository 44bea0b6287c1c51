"""A fleet: N robots in one launch, each in its own namespace with its own simulator and planner node.

The distributed engine is ROS 2 / DDS itself: every robot's nodes live under ``/<name>/`` (``/robot1/
robot_command``, ``/robot1/planner_status``, ...), so a command is addressed to one robot by namespace and
the same nodes run unchanged on one machine or one computer per robot (see the README's "Nav2 and fleets").

A fleet file (YAML) names each robot's world, start pose and adapter::

    world_file: ""            # shared by every robot that names none (empty: the packaged kitchen)
    shared_world: true        # robots see each other: a plan driving to where a peer stands is refused
    robots:
      - name: robot1
        start: {x: 0.0, y: 0.0, yaw_deg: 0}
      - name: robot2
        start: {x: 0.0, y: 1.5}
        robot_adapter: nav2   # base through NavigateToPose; fake_nav2 starts the fake server for it

Pure Python (no rclpy): :func:`fleet_launch` returns the :class:`LaunchSpec` the pip-only launcher
(``bt-planner launch --robots N`` / ``--fleet FILE``) starts.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bt_planner.core.geometry import Pose
from bt_planner.core.world import World
from bt_planner.ros.launch_description import LaunchSpec, NodeSpec
from bt_planner.ros.node_parameters import FakeNav2Parameters, PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.world_file import load_world

NAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
NUMBERED_SPACING_M = 1.5
"""``--robots N`` puts robot k this far along +y from the world's start pose (k = 0, 1, ...)."""


class StartPose(BaseModel):
    """Where a robot starts (world frame): metres and a heading in degrees."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    x: float
    y: float
    yaw_deg: float = 0.0


class FleetRobot(BaseModel):
    """One robot of the fleet: its namespace, world, start pose and base adapter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="namespace of the robot's nodes and topics (/name/...)")
    world_file: str = Field(default="", description="this robot's world; empty: the fleet's world_file")
    start: StartPose | None = Field(default=None, description="start pose; empty: the world's robot pose")
    robot_adapter: Literal["topics", "nav2"] = "topics"
    fake_nav2: bool = Field(default=True, description="robot_adapter nav2: also start the fake Nav2 server")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, name: str) -> str:
        if not NAME_PATTERN.match(name):
            raise ValueError(f"robot name {name!r} must be a ROS name: a letter, then letters, digits or _")
        return name

    @property
    def namespace(self) -> str:
        return f"/{self.name}"


class FleetConfig(BaseModel):
    """Every robot of one launch. ``shared_world``: the robots are in one world and see each other."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    world_file: str = ""
    shared_world: bool = True
    robots: tuple[FleetRobot, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> FleetConfig:
        names = [robot.name for robot in self.robots]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"robot names must be unique; repeated: {', '.join(duplicates)}")
        return self

    @classmethod
    def numbered(
        cls, count: int, *, world_file: str = "", robot_adapter: Literal["topics", "nav2"] = "topics"
    ) -> FleetConfig:
        """``robot1`` … ``robotN`` in one world, side by side ``NUMBERED_SPACING_M`` apart along +y."""
        if count < 1:
            raise ValueError(f"a fleet needs at least one robot, got {count}")
        base = load_world(world_file).robot.pose
        robots = tuple(
            FleetRobot(
                name=f"robot{k + 1}",
                start=StartPose(x=base.x, y=base.y + k * NUMBERED_SPACING_M, yaw_deg=math.degrees(base.yaw)),
                robot_adapter=robot_adapter,
            )
            for k in range(count)
        )
        return cls(world_file=world_file, robots=robots)

    @classmethod
    def load(cls, path: str | Path) -> FleetConfig:
        """A fleet file (YAML); relative world paths are taken relative to the file."""
        where = Path(path)
        data = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
        config = cls.model_validate(data)
        return config.model_copy(
            update={
                "world_file": _relative_to(config.world_file, where.parent),
                "robots": tuple(
                    robot.model_copy(update={"world_file": _relative_to(robot.world_file, where.parent)})
                    for robot in config.robots
                ),
            }
        )


def _relative_to(world_file: str, folder: Path) -> str:
    if not world_file or Path(world_file).is_absolute():
        return world_file
    return str((folder / world_file).resolve())


def robot_world(robot: FleetRobot, config: FleetConfig) -> World:
    """The world ``robot`` starts in: its own or the fleet's file, with its start pose applied."""
    world = load_world(robot.world_file or config.world_file)
    if robot.start is None:
        return world
    pose = Pose(x=robot.start.x, y=robot.start.y, yaw=math.radians(robot.start.yaw_deg))
    return world.model_copy(update={"robot": world.robot.model_copy(update={"pose": pose})})


def fleet_launch(
    config: FleetConfig,
    *,
    run_dir: Path,
    time_scale: float = 1.0,
    config_file: str = "",
    planner: PlannerNodeParameters | None = None,
    env: Mapping[str, str] | None = None,
) -> LaunchSpec:
    """Every robot's simulator (and fake Nav2, if asked) and planner node, each in its namespace.

    Each robot's world (with its start pose) is written to ``run_dir/<name>.world.yaml`` so its simulator
    and planner start from the same file. In a shared world each planner lists the others as
    ``fleet_peers``.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    nodes: list[NodeSpec] = []
    for robot in config.robots:
        world_path = run_dir / f"{robot.name}.world.yaml"
        world_path.write_text(robot_world(robot, config).to_yaml(), encoding="utf-8")
        peers = [other.namespace for other in config.robots if other.name != robot.name]
        sim = SimNodeParameters(world_file=str(world_path), time_scale=time_scale)
        update: dict[str, object] = {
            "world_file": str(world_path),
            "config_file": config_file,
            "robot_adapter": robot.robot_adapter,
        }
        if config.shared_world and peers:
            update["fleet_peers"] = ",".join(peers)
        planner_params = (planner or PlannerNodeParameters()).model_copy(update=update)
        nodes.append(
            NodeSpec(
                name="bt_planner_sim",
                executable="bt-planner-sim",
                module="bt_planner.ros.sim_node",
                parameters=sim.model_dump(exclude_unset=True),
                namespace=robot.namespace,
            )
        )
        if robot.robot_adapter == "nav2" and robot.fake_nav2:
            nodes.append(
                NodeSpec(
                    name="fake_nav2_server",
                    executable="bt-planner-fake-nav2",
                    module="bt_planner.ros.fake_nav2_server",
                    parameters=FakeNav2Parameters().model_dump(exclude_unset=True),
                    namespace=robot.namespace,
                )
            )
        nodes.append(
            NodeSpec(
                name="bt_planner_node",
                executable="bt-planner-node",
                module="bt_planner.ros.planner_node",
                parameters=planner_params.model_dump(exclude_unset=True),
                namespace=robot.namespace,
            )
        )
    return LaunchSpec(nodes=tuple(nodes), env=dict(env or {}))


def cli_fleet_launch(
    *,
    robots: int | None,
    fleet_file: Path | None,
    world_file: str,
    config_file: str,
    time_scale: float,
    env: Mapping[str, str],
    run_dir: Path | None = None,
) -> LaunchSpec:
    """``bt-planner launch --robots N`` / ``--fleet FILE``; a ``ValueError`` says what is wrong with either."""
    if robots is not None and fleet_file is not None:
        raise ValueError("give --robots or --fleet, not both")
    if fleet_file is not None:
        try:
            config = FleetConfig.load(fleet_file)
        except (OSError, yaml.YAMLError) as error:
            raise ValueError(f"fleet file {fleet_file}: {error}") from None
        if world_file:
            config = config.model_copy(update={"world_file": world_file})
    else:
        config = FleetConfig.numbered(robots or 1, world_file=world_file)
    where = run_dir if run_dir is not None else Path(tempfile.mkdtemp(prefix="bt_planner_fleet_"))
    return fleet_launch(config, run_dir=where, time_scale=time_scale, config_file=config_file, env=env)
