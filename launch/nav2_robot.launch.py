"""The planner on a real robot whose base runs Nav2: ``robot_adapter:=nav2``, no simulator.

Nav2 (``bt_navigator`` serving ``navigate_to_pose``), localisation and the robot's drivers come from the
robot's own bringup; this file adds only ``bt_planner_node``. Drives and turns go to Nav2 as
``nav2_msgs/action/NavigateToPose`` goals in ``frame_id``; grasp/place/detect/speak goals and the robot
state (``odom``, ``battery_state``, ``gripper_state``) use bt_planner's topics (see the README's topic
table), so the manipulation, speech and perception stacks speak those. In a namespace (``namespace:=
robot2``) every name is relative to it, Nav2's action included, as in Nav2's own multi-robot bringup::

    ros2 launch bt_planner nav2_robot.launch.py world_file:=/abs/path/site.yaml namespace:=robot2

Pip-only: ``bt-planner-node --ros-args -r __ns:=/robot2 -p robot_adapter:=nav2 -p world_file:=...``.
"""

from __future__ import annotations

ARGUMENTS = {
    "world_file": ("", "World YAML file (named locations in the map frame); empty: the packaged kitchen"),
    "config_file": ("", "bt_planner config YAML/TOML; empty: $BT_PLANNER_CONFIG, else defaults"),
    "namespace": ("", "Robot namespace (robot2 → /robot2/navigate_to_pose, /robot2/robot_command)"),
    "nav2_action": ("navigate_to_pose", "NavigateToPose action name, relative to the namespace"),
    "frame_id": ("map", "Frame of the goals sent to Nav2 and of the odometry the planner expects"),
}


def generate_launch_description():
    """``bt_planner_node`` with ``robot_adapter: nav2`` and the arguments above."""
    try:
        from launch.actions import DeclareLaunchArgument
        from launch.substitutions import LaunchConfiguration
        from launch_ros.actions import Node

        from launch import LaunchDescription
    except ImportError as error:
        raise RuntimeError(f"ROS 2 launch is not installed ({error}); see this file's docstring") from None

    actions: list = [
        DeclareLaunchArgument(name, default_value=default, description=description)
        for name, (default, description) in ARGUMENTS.items()
    ]
    parameters = {name: LaunchConfiguration(name) for name in ARGUMENTS if name != "namespace"}
    actions.append(
        Node(
            package="bt_planner",
            executable="bt-planner-node",
            name="bt_planner_node",
            namespace=LaunchConfiguration("namespace"),
            parameters=[{**parameters, "robot_adapter": "nav2"}],
            output="screen",
        )
    )
    return LaunchDescription(actions)
