"""``bt-planner send --robot robot2`` against a real ``bt-planner launch --robots 2``: the command runs on
robot2 and completes there; robot1's planner never hears of it and robot1 does not move."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rclpy")

from bt_planner.ros import topics
from bt_planner.ros.payloads import StatusMessage
from bt_planner.ros.processes import ChildProcess, pid_alive
from tests.ros.fleet_plans import reply_by_command
from tests.ros.test_fleet import under

pytestmark = pytest.mark.ros

BT_PLANNER = str(Path(sys.executable).with_name("bt-planner"))
STARTED = re.compile(r"started (\S+) \(pid (\d+)\)")
COMMAND = "walk to the window and greet"  # robot2 starts at (0, 1.5) and walks to WINDOW
ROBOTS = ("/robot1", "/robot2")
WINDOW = (-1.0, 1.5)


def _position(odom) -> tuple[float, float]:
    return odom.pose.pose.position.x, odom.pose.pose.position.y


def test_send_to_robot2_completes_on_robot2_and_robot1_stays_put(ros_env, probe, server, tmp_path):
    server.default = reply_by_command
    for namespace in ROBOTS:
        probe.listen(
            under(namespace, topics.PLANNER_STATUS), under(namespace, topics.TREE_SNAPSHOT),
            under(namespace, topics.ODOM),
        )  # fmt: skip
    launcher = ChildProcess(
        "bt-planner launch",
        [BT_PLANNER, "launch", "--robots", "2", "--time-scale", "10", "--log-dir", str(tmp_path / "fleet")],
        env=ros_env, log_path=tmp_path / "launch.log",
    ).start()  # fmt: skip
    try:
        for namespace in ROBOTS:
            probe.wait_for(
                under(namespace, topics.TREE_SNAPSHOT), timeout_s=40, what=f"{namespace}'s planner"
            )
        robot1_start = _position(probe.wait_for(under("/robot1", topics.ODOM), what="robot1's odometry"))

        sent = subprocess.run(
            [BT_PLANNER, "send", "--robot", "robot2", COMMAND, "--json", "--server-timeout", "30"],
            env=ros_env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert sent.returncode == 0, (sent.stdout, sent.stderr)
        outcome = json.loads(sent.stdout.strip().splitlines()[-1])
        assert outcome["success"] is True and outcome["result"]["outcome"] == "SUCCEEDED", outcome
        steps = [step["action_type"] for step in outcome["result"]["executed_plan"]["actions"]]
        assert steps == ["move", "speak"]

        final = probe.wait_for_payload(
            under("/robot2", topics.PLANNER_STATUS), StatusMessage,
            lambda s: s.command == COMMAND and s.status.terminal, what="robot2's terminal status",
        )  # fmt: skip
        assert final.status.value == "SUCCEEDED", final.details
        moved = probe.wait_for(
            under("/robot2", topics.ODOM),
            lambda odom: math.dist(_position(odom), WINDOW) < 0.3,
            what="robot2's odometry at the window",
        )
        assert math.dist(_position(moved), WINDOW) < 0.3

        seen = len(probe.messages(under("/robot1", topics.ODOM)))
        probe.wait_for(under("/robot1", topics.ODOM), start=seen, what="robot1's odometry after the command")
        robot1 = [_position(m) for m in probe.messages(under("/robot1", topics.ODOM))]
        assert max(math.dist(p, robot1_start) for p in robot1) < 1e-3, "robot1 moved"
        heard = {s.command for s in probe.payloads(under("/robot1", topics.PLANNER_STATUS), StatusMessage)}
        assert COMMAND not in heard, heard
    finally:
        launcher.stop(grace_s=10.0)
        for _, pid in STARTED.findall(launcher.output()):  # only if stopping failed: its children, by PID
            if pid_alive(int(pid)):
                os.kill(int(pid), signal.SIGKILL)
        print(f"----- launcher (pid {launcher.pid}, exit {launcher.returncode}) -----\n{launcher.output()}")
        for log in sorted((tmp_path / "fleet").glob("*.log")):
            print(f"----- {log.name} -----\n{log.read_text(errors='replace')[-4000:]}")
