"""The one description of what gets launched: nodes, their parameters and environment, as plain data.

``launch/bt.launch.py`` turns it into ``launch_ros`` actions on a ROS 2 install; ``bt-planner launch`` starts
the same nodes as child processes on pip-only installs. Pure Python: no rclpy, no launch packages.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters

ParameterValue = str | int | float | bool

PACKAGE = "bt_planner"
DISCOVERY_ENV = "ROS_AUTOMATIC_DISCOVERY_RANGE"
DOMAIN_ENV = "ROS_DOMAIN_ID"


class NodeSpec(BaseModel):
    """One node: its ROS name, how to start it (console script or module), parameters and extra env."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="ROS node name (remapped with __node:=)")
    executable: str = Field(description="console script installed by the package, used by ros2 launch")
    module: str = Field(description="python -m module with a main(), used by the pip-only launcher")
    parameters: dict[str, ParameterValue] = Field(default_factory=dict)
    env: dict[str, str] = Field(default_factory=dict)
    namespace: str = Field(default="", description="ROS namespace (remapped with __ns:=); empty: the root")
    managed: bool = Field(
        default=False,
        description="a lifecycle node with an autostart parameter: the pip-only launcher starts it with "
        "autostart false and drives configure/activate (and deactivate/cleanup/shutdown on stop) itself",
    )

    @property
    def fqn(self) -> str:
        """The fully qualified node name, e.g. ``/robot1/bt_planner_node``."""
        namespace = self.namespace.strip("/")
        return f"/{namespace}/{self.name}" if namespace else f"/{self.name}"

    @property
    def label(self) -> str:
        """A name unique across namespaces, for logs: ``robot1.bt_planner_node`` (just the name at the root)."""
        prefix = self.namespace.strip("/").replace("/", ".")
        return f"{prefix}.{self.name}" if prefix else self.name

    def ros_args(self) -> list[str]:
        """``--ros-args`` for this node: its name, namespace and every parameter (values as YAML)."""
        args = ["--ros-args", "-r", f"__node:={self.name}"]
        if self.namespace.strip("/"):
            args += ["-r", f"__ns:=/{self.namespace.strip('/')}"]
        for key, value in self.parameters.items():
            args += ["-p", f"{key}:={_yaml_scalar(value)}"]
        return args

    def argv(self, python: str | None = None) -> list[str]:
        """The command line the pip-only launcher runs (same interpreter as the caller by default)."""
        return [python or sys.executable, "-m", self.module, *self.ros_args()]


class LaunchSpec(BaseModel):
    """Everything one launch starts. ``env`` applies to every node; a node's own ``env`` wins."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    nodes: tuple[NodeSpec, ...]
    env: dict[str, str] = Field(default_factory=dict)

    def node_env(self, node: NodeSpec, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The full environment of ``node``: ``base`` (default ``os.environ``), then launch env, then node env."""
        return {**(os.environ if base is None else base), **self.env, **node.env}


def _yaml_scalar(value: ParameterValue) -> str:
    """A parameter value as rcl parses it: JSON spelling is valid YAML and keeps strings strings."""
    return json.dumps(value)


def network_env(*, domain_id: int | None = None, discovery_range: str | None = None) -> dict[str, str]:
    """ROS networking for launched nodes: discovery stays on this machine unless the user chose otherwise.

    ``discovery_range`` defaults to the caller's ``ROS_AUTOMATIC_DISCOVERY_RANGE`` or, if unset, LOCALHOST
    (a simulated robot next to its planner needs no network). ``domain_id`` defaults to ``ROS_DOMAIN_ID``.
    """
    env = {DISCOVERY_ENV: discovery_range or os.environ.get(DISCOVERY_ENV) or "LOCALHOST"}
    if domain_id is not None:
        if not 0 <= domain_id <= 232:
            raise ValueError(f"ROS domain id must be in 0..232, got {domain_id}")
        env[DOMAIN_ENV] = str(domain_id)
    return env


def simulation_launch(
    *,
    world_file: str = "",
    config_file: str = "",
    time_scale: float = 1.0,
    planner: PlannerNodeParameters | None = None,
    sim: SimNodeParameters | None = None,
    env: Mapping[str, str] | None = None,
) -> LaunchSpec:
    """The default launch: the simulated robot and the planner node, sharing one world file.

    ``planner`` / ``sim`` set parameters (only fields set explicitly are passed, so the planner's other
    defaults still come from its config file); ``world_file``, ``config_file`` and ``time_scale`` are the
    common overrides. ``env`` is added to every node (see :func:`network_env`).
    """
    sim_params = (sim or SimNodeParameters()).model_copy(
        update={"world_file": world_file, "time_scale": time_scale}
    )
    planner_params = (planner or PlannerNodeParameters()).model_copy(
        update={"world_file": world_file, "config_file": config_file}
    )
    return LaunchSpec(
        nodes=(
            NodeSpec(
                name="bt_planner_sim",
                executable="bt-planner-sim",
                module="bt_planner.ros.sim_node",
                parameters=sim_params.model_dump(exclude_unset=True),
            ),
            NodeSpec(
                name="bt_planner_node",
                executable="bt-planner-node",
                module="bt_planner.ros.planner_node",
                parameters=planner_params.model_dump(exclude_unset=True),
                managed=True,
            ),
        ),
        env=dict(env or {}),
    )
