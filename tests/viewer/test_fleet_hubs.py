"""``FleetHubs``: one hub per robot, the first robot's as the default, names checked, all closed together."""

from __future__ import annotations

import pytest

from bt_planner.viewer.fleet_hubs import FleetHubs, valid_robot_name
from bt_planner.viewer.hub import SnapshotHub


def test_the_first_robot_is_the_default_and_robots_join_in_order():
    unnamed = SnapshotHub()
    hubs = FleetHubs(unnamed=unnamed)
    assert hubs.default is unnamed and hubs.names == []
    robot2 = hubs.add("robot2")
    assert hubs.add("robot2") is robot2  # idempotent
    robot1 = hubs.add("robot1")
    assert hubs.names == ["robot2", "robot1"]
    assert hubs.default is robot2 and hubs.get(None) is robot2
    assert hubs.get("robot1") is robot1 and hubs.get("robot3") is None


@pytest.mark.parametrize("name", ["", "1robot", "robot-1", "/robot1", "robot1/", "a//b", "x" * 101, "r?x"])
def test_a_name_that_is_not_a_namespace_is_refused(name):
    assert not valid_robot_name(name)
    with pytest.raises(ValueError, match="not a ROS namespace"):
        FleetHubs().add(name)


def test_nested_namespaces_are_robot_names():
    assert valid_robot_name("site_a/robot2")


def test_close_closes_every_hub_and_hubs_added_later():
    hubs = FleetHubs(["robot1"])
    robot1 = hubs.get("robot1")
    hubs.close()
    assert robot1 is not None and robot1.closed
    assert hubs.add("robot2").closed
