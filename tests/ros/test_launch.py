"""``bt-planner launch`` starts the simulator and the planner, and leaves nothing behind when stopped."""

from __future__ import annotations

import os
import re
import signal
import sys
from pathlib import Path

import pytest

pytest.importorskip("rclpy")

from bt_planner.ros import topics
from bt_planner.ros.processes import ChildProcess, pid_alive, wait_until_gone
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan

pytestmark = pytest.mark.ros

BT_PLANNER = Path(sys.executable).parent / "bt-planner"
STARTED = re.compile(r"started (\S+) \(pid (\d+)\)")


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def launched(ros_env, probe, tmp_path):
    """Runs ``bt-planner launch`` until both nodes publish; yields (launcher, {node name: pid})."""
    probe.listen(topics.WORLD_STATE, topics.TREE_SNAPSHOT)
    launcher = ChildProcess(
        "bt-planner launch", [str(BT_PLANNER), "launch", "--time-scale", "10"], env=ros_env,
        log_path=tmp_path / "launch.log",
    ).start()  # fmt: skip
    pids: dict[str, int] = {}
    try:
        probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the launched simulator")
        probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the launched planner")
        pids = {name: int(pid) for name, pid in STARTED.findall(launcher.output())}
        yield launcher, pids
    finally:
        launcher.stop(grace_s=10.0)
        for pid in pids.values():  # only if the test failed half-way: the launcher's children, by PID
            if pid_alive(pid) and parent_of(pid) in (launcher.pid, 1):
                os.kill(pid, signal.SIGKILL)
        print(f"----- launcher (pid {launcher.pid}, exit {launcher.returncode}) -----\n{launcher.output()}")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads parent PIDs from /proc")
def test_ctrl_c_stops_every_node(launched):
    launcher, pids = launched
    assert set(pids) == {"bt_planner_sim", "bt_planner_node"}
    assert all(pid_alive(pid) and parent_of(pid) == launcher.pid for pid in pids.values())

    launcher.signal(signal.SIGINT)
    assert launcher.wait(timeout_s=15.0) == 0, launcher.output()
    assert wait_until_gone(list(pids.values()), timeout_s=1.0) == []
    output = launcher.output()
    for name, pid in pids.items():
        assert re.search(rf"stopped {name} \(pid {pid}, exit code 0\)", output), output


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads parent PIDs from /proc")
def test_nodes_exit_when_the_launcher_is_killed(launched):
    launcher, pids = launched
    launcher.kill()  # no chance to stop its children: they must notice and exit by themselves
    assert wait_until_gone(list(pids.values()), timeout_s=5.0) == []


def test_launch_with_a_command_runs_it_and_exits_with_its_outcome(ros_env, server, tmp_path):
    server.push(plan_reply(kitchen_plan()))
    launcher = ChildProcess(
        "bt-planner launch",
        [str(BT_PLANNER), "launch", "--time-scale", "10", "--command", KITCHEN_COMMAND, "--exit-when-done"],
        env=ros_env,
        log_path=tmp_path / "launch.log",
    ).start()
    try:
        code = launcher.wait(timeout_s=60.0)
        output = launcher.output()
        assert code == 0, output
        statuses = re.findall(r"\[status\] (\w+)", output)
        assert statuses == [
            "RECEIVED_COMMAND",
            "PLANNING_STARTED",
            "PLANNING_SUCCESS",
            "EXECUTING",
            "SUCCEEDED",
        ]
        pids = [int(pid) for _, pid in STARTED.findall(output)]
        assert len(pids) == 2 and wait_until_gone(pids, timeout_s=1.0) == []
    finally:
        launcher.stop(grace_s=10.0)
        print(launcher.output())
