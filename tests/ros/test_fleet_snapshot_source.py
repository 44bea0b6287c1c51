"""The fleet viewer's ROS side: which topics are robots, and ``bt-planner view --discover`` in a real
process finding every namespace that publishes snapshots, and serving each one's own."""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("rclpy")

from std_msgs.msg import Bool, String

from bt_planner.ros import topics
from bt_planner.ros.fleet_snapshot_source import robots_publishing, snapshot_topic
from bt_planner.ros.processes import ChildProcess
from bt_planner.snapshot import TreeSnapshot, from_json, to_json
from tests.viewer.fleet_snapshots import robot_snapshot

pytestmark = pytest.mark.ros

BT_PLANNER = Path(sys.executable).parent / "bt-planner"
URL = re.compile(r"viewer on http://127\.0\.0\.1:(\d+)/")


def test_only_namespaced_string_tree_snapshot_topics_are_robots():
    graph = [
        ("/robot1/tree_snapshot", ["std_msgs/msg/String"]),
        ("/site_a/robot2/tree_snapshot", ["std_msgs/msg/String"]),
        ("/tree_snapshot", ["std_msgs/msg/String"]),  # a planner at the root: no robot name
        ("/decoy/tree_snapshot", ["std_msgs/msg/Bool"]),
        ("/robot1/planner_status", ["std_msgs/msg/String"]),
        ("/robot9/tree_snapshot_old", ["std_msgs/msg/String"]),
    ]
    assert robots_publishing(graph) == ["robot1", "site_a/robot2"]
    assert snapshot_topic("robot1") == "/robot1/tree_snapshot" == snapshot_topic("/robot1")


def _publish(probe, name: str, msg) -> None:
    kind = topics.TREE_SNAPSHOT
    if isinstance(msg, Bool):
        kind = kind.model_copy(update={"type": "std_msgs/Bool"})
    probe.publish(kind.model_copy(update={"name": name}), msg, subscribers=0)


def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def _wait_robots(port: int, want: set[str], timeout_s: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    robots: list[str] = []
    while time.monotonic() < deadline:
        robots = json.loads(_get(port, "/api/robots")[1])["robots"]
        if want <= set(robots):
            return robots
        pause.wait(0.1)
    raise AssertionError(f"the viewer lists {robots}, not all of {sorted(want)}")


def _snapshot_of(port: int, robot: str, tick: int, timeout_s: float = 10.0) -> TreeSnapshot:
    deadline = time.monotonic() + timeout_s
    pause = threading.Event()
    while time.monotonic() < deadline:
        status, body = _get(port, f"/api/snapshot?robot={quote(robot)}")
        if status == 200 and (snapshot := from_json(body.decode())).tick == tick:
            return snapshot
        pause.wait(0.1)
    raise AssertionError(f"no snapshot of tick {tick} for {robot}")


def test_view_discover_finds_each_namespace_and_serves_its_own_snapshots(ros_env, probe, tmp_path):
    _publish(probe, snapshot_topic("robot1"), String(data=to_json(robot_snapshot("robot1", tick=2))))
    _publish(probe, snapshot_topic("site_a/robot2"), String(data=to_json(robot_snapshot("robot2", tick=4))))
    _publish(probe, "/decoy/tree_snapshot", Bool(data=True))
    viewer = ChildProcess(
        "bt-planner view", [str(BT_PLANNER), "view", "--discover", "--port", "0"], env=ros_env,
        log_path=tmp_path / "view.log",
    ).start()  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while (match := URL.search(viewer.output())) is None:
            assert viewer.running and time.monotonic() < deadline, viewer.output()
            threading.Event().wait(0.05)
        port = int(match.group(1))
        robots = _wait_robots(port, {"robot1", "site_a/robot2"})
        assert "decoy" not in robots
        assert _snapshot_of(port, "robot1", 2).mission.command == "robot1, say hello"  # type: ignore[union-attr]
        assert _snapshot_of(port, "site_a/robot2", 4).mission.command == "robot2, say hello"  # type: ignore[union-attr]

        _publish(probe, snapshot_topic("robot3"), String(data=to_json(robot_snapshot("robot3", tick=1))))
        assert _wait_robots(port, {"robot3"})[-1] == "robot3"  # a robot that starts later joins the list
        assert _snapshot_of(port, "robot3", 1).mission.command == "robot3, say hello"  # type: ignore[union-attr]
        assert viewer.stop(grace_s=10.0) == 0, viewer.output()
    finally:
        viewer.stop(grace_s=5.0)
        print(f"----- viewer (pid {viewer.pid}, exit {viewer.returncode}) -----\n{viewer.output()}")
