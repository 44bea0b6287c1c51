"""``import bt_planner`` stays light: no ROS, no OpenAI SDK, no llama.cpp until an edge needs them."""

from __future__ import annotations

import subprocess
import sys


def test_core_import_loads_no_edge_libraries():
    code = (
        "import sys, bt_planner, bt_planner.planner, bt_planner.cli.app;"
        "print(','.join(m for m in ('rclpy', 'openai', 'llama_cpp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
