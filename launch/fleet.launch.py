"""A fleet: N simulated robots, each in its namespace with its own simulator and planner node.

The same description ``bt-planner launch --robots N`` / ``--fleet FILE`` starts (``bt_planner.ros.fleet``):
robot k's nodes live under ``/robotk/`` (``/robot2/robot_command``, ``/robot2/execute_command``, ...), in a
shared world where each planner refuses to drive onto another robot. On a ROS 2 install::

    ros2 launch bt_planner fleet.launch.py robots:=3 time_scale:=1.0
    ros2 launch bt_planner fleet.launch.py fleet_file:=/abs/path/fleet.yaml

Without ROS launch (pip-only), run this file with Python (same ``name:=value`` arguments), or use
``bt-planner launch --robots N``::

    python launch/fleet.launch.py robots:=2
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from bt_planner.ros.fleet import cli_fleet_launch
from bt_planner.ros.launch_description import PACKAGE, LaunchSpec, NodeSpec, network_env

ARGUMENTS = {
    "robots": ("2", "How many robots (robot1..robotN); ignored when fleet_file is set"),
    "fleet_file": ("", "Fleet YAML naming each robot's world, start pose and adapter; empty: robots:=N"),
    "world_file": ("", "World YAML shared by the robots; empty: the packaged kitchen world"),
    "config_file": ("", "bt_planner config YAML/TOML; empty: $BT_PLANNER_CONFIG, else defaults"),
    "time_scale": ("1.0", "Simulated seconds per wall-clock second"),
}


def _absolute(path: str) -> str:
    return str(Path(path).expanduser().resolve()) if path else ""


def fleet_spec(
    *,
    robots: str = ARGUMENTS["robots"][0],
    fleet_file: str = "",
    world_file: str = "",
    config_file: str = "",
    time_scale: str = ARGUMENTS["time_scale"][0],
    run_dir: Path | None = None,
) -> LaunchSpec:
    """The fleet's nodes from the launch arguments (strings, as ``ros2 launch`` passes them).

    Each robot's world file is written to ``run_dir`` (a fresh temporary folder by default).
    ``ValueError`` says which argument is wrong.
    """
    try:
        count = int(robots)
        scale = float(time_scale)
    except ValueError:
        raise ValueError(
            f"robots:={robots!r} must be a whole number, time_scale:={time_scale!r} a number"
        ) from None
    if not fleet_file and not 1 <= count <= 32:
        raise ValueError(f"robots:={count}: a fleet has 1 to 32 robots")
    return cli_fleet_launch(
        robots=None if fleet_file else count,
        fleet_file=Path(_absolute(fleet_file)) if fleet_file else None,
        world_file=_absolute(world_file),
        config_file=_absolute(config_file),
        time_scale=scale,
        env=network_env(),
        run_dir=run_dir if run_dir is not None else Path(tempfile.mkdtemp(prefix="bt_planner_fleet_")),
    )


def node_arguments(node: NodeSpec) -> dict[str, Any]:
    """The keyword arguments of the ``launch_ros.actions.Node`` that runs ``node``."""
    return {
        "package": PACKAGE,
        "executable": node.executable,
        "name": node.name,
        "namespace": node.namespace,
        "parameters": [dict(node.parameters)],
        "additional_env": dict(node.env),
        "output": "screen",
    }


def _launch_setup(context):
    from launch.actions import SetEnvironmentVariable
    from launch.substitutions import LaunchConfiguration
    from launch_ros.actions import Node

    spec = fleet_spec(**{name: LaunchConfiguration(name).perform(context) for name in ARGUMENTS})
    actions: list = [SetEnvironmentVariable(name, value) for name, value in spec.env.items()]
    actions += [Node(**node_arguments(node)) for node in spec.nodes]
    return actions


def generate_launch_description():
    """The launch_ros form of :func:`bt_planner.ros.fleet.fleet_launch`; nodes built once arguments are known."""
    try:
        from launch.actions import DeclareLaunchArgument, OpaqueFunction

        from launch import LaunchDescription
    except ImportError as error:
        raise RuntimeError(
            f"ROS 2 launch is not installed ({error}); on pip-only installs run `bt-planner launch --robots N`"
        ) from None

    actions: list = [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (default, description) in ARGUMENTS.items()
    ]
    actions.append(OpaqueFunction(function=_launch_setup))
    return LaunchDescription(actions)


def parse_arguments(argv: list[str]) -> dict[str, str]:
    """``name:=value`` arguments, as ``ros2 launch`` takes them; ``ValueError`` for anything else."""
    parsed: dict[str, str] = {}
    for item in argv:
        name, separator, value = item.partition(":=")
        if not separator or name not in ARGUMENTS:
            raise ValueError(
                f"unknown argument {item!r}; arguments: {', '.join(f'{n}:=...' for n in ARGUMENTS)}"
            )
        parsed[name] = value
    return parsed


def main(argv: list[str]) -> int:
    """Pip-only: start the same nodes as child processes until Ctrl-C."""
    from bt_planner.ros.launcher import Launcher

    try:
        spec = fleet_spec(**parse_arguments(argv))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return Launcher(spec).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
