"""Without rclpy: the pure-Python ROS pieces still import, and ``bt-planner launch`` says how to get ROS."""

from __future__ import annotations

import subprocess
import sys

HIDE_ROS = "import sys; sys.modules['rclpy'] = None;"  # find_spec / import now behave as if not installed


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", HIDE_ROS + code], capture_output=True, text=True, timeout=60, check=False
    )


def test_pure_modules_import_without_rclpy():
    modules = (
        "topics",
        "payloads",
        "node_parameters",
        "launch_description",
        "launcher",
        "processes",
        "availability",
    )
    code = "".join(f"import bt_planner.ros.{name};" for name in modules) + "print('ok')"
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_launch_command_explains_how_to_install_ros():
    result = run_python("sys.argv = ['bt-planner', 'launch']; from bt_planner.cli.app import main; main()")
    assert result.returncode == 2
    assert "pip install 'bt_planner[ros]'" in result.stderr
    assert "source /opt/ros" in result.stderr
