"""Simulated robot + planner node, from the same description ``bt-planner launch`` uses.

On a ROS 2 install (``launch`` and ``launch_ros`` importable)::

    ros2 launch bt_planner bt.launch.py world_file:=/path/world.yaml time_scale:=1.0

The planner is a managed (lifecycle) node; here it configures and activates itself (``autostart:=true``).
With ``autostart:=false`` it waits unconfigured for ``ros2 lifecycle set /bt_planner_node configure`` (or
a lifecycle manager). ``bt-planner launch`` drives the transitions itself.

Without ROS launch (pip-only), run this file with Python, or use ``bt-planner launch``::

    python launch/bt.launch.py
"""

from __future__ import annotations

import sys

from bt_planner.ros.launch_description import PACKAGE, network_env, simulation_launch

ARGUMENTS = {
    "world_file": ("", "World YAML file; empty: the packaged kitchen world"),
    "config_file": ("", "bt_planner config YAML/TOML; empty: $BT_PLANNER_CONFIG, else defaults"),
    "time_scale": ("1.0", "Simulated seconds per wall-clock second"),
    "autostart": (
        "true",
        "Managed nodes configure and activate themselves; false: drive ~/change_state yourself",
    ),
}


def generate_launch_description():
    """The launch_ros form of :func:`bt_planner.ros.launch_description.simulation_launch`."""
    try:
        from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
        from launch.substitutions import LaunchConfiguration
        from launch_ros.actions import Node
        from launch_ros.parameter_descriptions import ParameterValue

        from launch import LaunchDescription
    except ImportError as error:
        raise RuntimeError(
            f"ROS 2 launch is not installed ({error}); on pip-only installs run `bt-planner launch` instead"
        ) from None

    spec = simulation_launch(env=network_env())
    actions: list = [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (default, description) in ARGUMENTS.items()
    ]
    actions += [SetEnvironmentVariable(name, value) for name, value in spec.env.items()]
    for node in spec.nodes:
        parameters = dict(node.parameters)
        if node.managed:
            parameters["autostart"] = True  # nothing in this launch drives the transitions
        for name in ARGUMENTS:
            if name in parameters:  # typed, so an empty world_file stays a string
                parameters[name] = ParameterValue(
                    LaunchConfiguration(name), value_type=type(parameters[name])
                )
        actions.append(
            Node(
                package=PACKAGE,
                executable=node.executable,
                name=node.name,
                parameters=[parameters],
                additional_env=node.env,
                output="screen",
            )
        )
    return LaunchDescription(actions)


def main() -> int:
    """Pip-only: start the same nodes as child processes until Ctrl-C."""
    from bt_planner.ros.launcher import Launcher

    return Launcher(simulation_launch(env=network_env())).run()


if __name__ == "__main__":
    sys.exit(main())
