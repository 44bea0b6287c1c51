"""A fleet viewer over real loopback HTTP: its robots, each robot's own snapshots and event stream,
and the approval endpoints' protections unchanged."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from bt_planner.snapshot import from_json
from bt_planner.viewer import ViewerServer
from bt_planner.viewer.sources.event_stream import SseSource
from tests.viewer.fleet_snapshots import robot_snapshot
from tests.viewer.test_server import Collector


@pytest.fixture
def fleet() -> Iterator[ViewerServer]:
    with ViewerServer(port=0, keepalive_s=0.2, robots=["robot1", "robot2"]) as server:
        yield server


def get(server: ViewerServer, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.read()


def test_the_robots_are_listed_first_one_the_default(fleet: ViewerServer):
    status, body = get(fleet, "/api/robots")
    assert status == 200 and json.loads(body) == {"robots": ["robot1", "robot2"], "default": "robot1"}
    fleet.add_robot("robot3")
    assert json.loads(get(fleet, "/api/robots")[1])["robots"] == ["robot1", "robot2", "robot3"]


def test_a_single_robot_viewer_lists_no_robots():
    with ViewerServer(port=0) as single:
        assert json.loads(get(single, "/api/robots")[1]) == {"robots": [], "default": None}


def test_each_robot_serves_its_own_latest_snapshot(fleet: ViewerServer):
    one, two = robot_snapshot("robot1", tick=3), robot_snapshot("robot2", tick=7, x=2.0)
    assert fleet.publish(one, robot="robot1") and fleet.publish(two, robot="robot2")
    for robot, expected in (("robot1", one), ("robot2", two)):
        status, body = get(fleet, f"/api/snapshot?robot={robot}")
        assert status == 200 and from_json(body.decode()) == expected
        status, body = get(fleet, f"/api/py_trees_js?robot={robot}")
        assert status == 200 and f"{robot} mission" in body.decode()
    assert from_json(get(fleet, "/api/snapshot")[1].decode()) == one  # no ?robot=: the first robot's


def test_an_unknown_robot_is_a_json_404_naming_the_robots_shown(fleet: ViewerServer):
    for path in ("/api/snapshot", "/api/events", "/api/py_trees_js"):
        status, body = get(fleet, f"{path}?robot=robot9")
        assert status == 404, path
        assert "robot9" in json.loads(body)["error"] and "robot1, robot2" in json.loads(body)["error"]
    assert get(fleet, "/api/snapshot?robot=robot2")[0] == 404  # known, but nothing published yet


def test_an_event_stream_carries_only_its_robots_snapshots(fleet: ViewerServer):
    collector = Collector()
    stream = SseSource(f"{fleet.url}api/events?robot=robot2")
    stream.start(collector)
    try:
        assert fleet.wait_for_clients(1, timeout=10)
        for tick in (1, 2):  # the robot moves, so every snapshot shows something new
            assert fleet.publish(robot_snapshot("robot1", tick=tick, x=tick), robot="robot1")
            assert fleet.publish(robot_snapshot("robot2", tick=tick, x=tick), robot="robot2")
        assert fleet.wait_delivered(2, robot="robot2", timeout=10)
        received = collector.wait_until(lambda got: bool(got) and got[-1].tick == 2)
    finally:
        stream.stop()
    # a stream skips to the newest snapshot, so tick 1 may be missed; robot1's never arrive
    assert {s.mission.command if s.mission else None for s in received} == {"robot2, say hello"}


def test_publishing_for_a_new_robot_adds_it_and_bad_names_are_refused(fleet: ViewerServer):
    fleet.publish(robot_snapshot("robot3"), robot="robot3")
    assert fleet.robots == ["robot1", "robot2", "robot3"]
    with pytest.raises(ValueError, match="not a ROS namespace"):
        fleet.publish(robot_snapshot("x"), robot="../etc")


def test_a_fleet_viewer_still_refuses_an_approval_without_its_token(fleet: ViewerServer):
    connection = http.client.HTTPConnection("127.0.0.1", fleet.port, timeout=10)
    connection.request(
        "POST", "/api/approvals/abc/approve", body=b"{}", headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    assert response.status == 403 and "X-BT-Planner-Token" in json.loads(response.read())["error"]
