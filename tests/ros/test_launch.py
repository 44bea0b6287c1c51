"""``bt-planner launch`` starts the simulator and the planner, and leaves nothing behind when stopped."""

from __future__ import annotations

import os
import re
import signal
import sys
import time
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
    # the launcher drove the planner's lifecycle: up at start, down before its process was stopped
    assert "bt_planner_node is active" in output, output
    assert "bt_planner_node: deactivate → cleanup → shutdown" in output, output


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


def test_a_killed_simulator_fails_the_command_naming_it_and_is_restarted(ros_env, probe, server, tmp_path):
    from std_msgs.msg import String

    from bt_planner.ros.payloads import PlannerStatus, StatusMessage
    from bt_planner.snapshot.codec import from_json
    from tests.sample_plans import action

    config = tmp_path / "config.yaml"
    config.write_text("execution:\n  max_replans: 0\nsafety:\n  max_state_age_s: 1.0\n", encoding="utf-8")
    probe.listen(topics.WORLD_STATE, topics.TREE_SNAPSHOT, topics.PLANNER_STATUS, topics.ODOM)
    launcher = ChildProcess(
        "bt-planner launch", [str(BT_PLANNER), "launch", "--time-scale", "10", "--config", str(config)],
        env=ros_env, log_path=tmp_path / "launch.log",
    ).start()  # fmt: skip

    def terminal(command: str) -> StatusMessage:
        return probe.wait_for_payload(
            topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == command and s.status.terminal,
            timeout_s=20.0, what=f"the end of {command!r}",
        )  # fmt: skip

    try:
        probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the launched simulator")
        probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the launched planner")
        sim_pid = dict(STARTED.findall(launcher.output()))["bt_planner_sim"]
        server.push(
            plan_reply({"actions": [action("wait", "wait", 60.0, duration_seconds=60)], "reasoning": "w"})
        )
        probe.publish(topics.ROBOT_COMMAND, String(data="wait a minute"))
        probe.wait_for_payload(
            topics.PLANNER_STATUS, StatusMessage,
            lambda s: s.command == "wait a minute" and s.status is PlannerStatus.EXECUTING, what="EXECUTING",
        )  # fmt: skip
        os.kill(int(sim_pid), signal.SIGKILL)
        failed = terminal("wait a minute")
        assert failed.status is PlannerStatus.FAILED and "node bt_planner_sim died" in failed.details, failed
        assert wait_until_gone([int(sim_pid)], timeout_s=5.0) == []
        restarted_at = time.time()
        probe.wait_for(  # the planner has fresh state from the restarted simulator
            topics.TREE_SNAPSHOT,
            lambda m: (robot := from_json(m.data).robot) is not None and robot.timestamp > restarted_at,
            timeout_s=20.0, what="a planner snapshot with the restarted simulator's state",
        )  # fmt: skip

        server.push(
            plan_reply({"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"})
        )
        probe.publish(topics.ROBOT_COMMAND, String(data="say hello"))
        assert terminal("say hello").status is PlannerStatus.SUCCEEDED
        assert re.search(r"restarted bt_planner_sim \(pid \d+\), restart 1 of 3", launcher.output())
    finally:
        launcher.stop(grace_s=10.0)
        print(launcher.output())
