"""A fleet in real processes: three robots, each its own namespace with simulator and planner, one launch
description; commands addressed by namespace; a plan driving onto another robot is refused.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("rclpy")

from std_msgs.msg import String

from bt_planner.ros import topics
from bt_planner.ros.fleet import FleetConfig, fleet_launch
from bt_planner.ros.node_parameters import PlannerNodeParameters
from bt_planner.ros.payloads import PlannerStatus, StatusMessage
from bt_planner.ros.topics import Topic
from tests.ros.fleet_plans import PLANS, reply_by_command

pytestmark = pytest.mark.ros

S = PlannerStatus


def under(namespace: str, topic: Topic) -> Topic:
    return topic.model_copy(update={"name": f"{namespace}/{topic.name}"})


def wait_terminal(probe, namespace: str, command: str, timeout_s: float = 40.0) -> StatusMessage:
    return probe.wait_for_payload(
        under(namespace, topics.PLANNER_STATUS), StatusMessage,
        lambda s: s.command == command and s.status.terminal, timeout_s=timeout_s,
        what=f"a terminal status for {command!r} on {namespace}",
    )  # fmt: skip


def start_fleet(start_node, probe, tmp_path, count: int) -> FleetConfig:
    config = FleetConfig.numbered(count)
    spec = fleet_launch(
        config, run_dir=tmp_path / "fleet", time_scale=10.0,
        planner=PlannerNodeParameters(tick_period_s=0.05, snapshot_period_s=0.5),
    )  # fmt: skip
    for robot in config.robots:
        probe.listen(
            under(robot.namespace, topics.PLANNER_STATUS), under(robot.namespace, topics.TREE_SNAPSHOT),
            under(robot.namespace, topics.ODOM),
        )  # fmt: skip
    for node in spec.nodes:
        start_node(node)
    for robot in config.robots:
        probe.wait_for(
            under(robot.namespace, topics.TREE_SNAPSHOT), timeout_s=30, what=f"{robot.name}'s planner"
        )
    return config


def test_three_robots_each_complete_their_own_command_concurrently(start_node, probe, server, tmp_path):
    server.default = reply_by_command
    config = start_fleet(start_node, probe, tmp_path, 3)
    commands = dict(zip([r.namespace for r in config.robots], list(PLANS)[:3], strict=True))
    for namespace, command in commands.items():
        probe.publish(under(namespace, topics.ROBOT_COMMAND), String(data=command))
    for namespace, command in commands.items():
        final = wait_terminal(probe, namespace, command)
        assert final.status is S.SUCCEEDED, (namespace, final.details)
    for namespace, command in commands.items():  # each robot ran only its own command
        seen = {s.command for s in probe.payloads(under(namespace, topics.PLANNER_STATUS), StatusMessage)}
        assert seen == {command}, (namespace, seen)


def test_a_plan_driving_onto_another_robot_is_refused(start_node, probe, server, tmp_path):
    server.default = reply_by_command
    start_fleet(start_node, probe, tmp_path, 2)
    # robot2's planner hears robot1's odometry: its subscription matched, and robot1 published after that
    deadline = time.monotonic() + 20
    while not any(
        info.node_namespace == "/robot2"
        for info in probe.node.get_subscriptions_info_by_topic("/robot1/odom")
    ):
        assert time.monotonic() < deadline, "robot2's planner never subscribed to /robot1/odom"
        probe.wait_for(
            under("/robot1", topics.ODOM),
            timeout_s=5,
            start=len(probe.messages(under("/robot1", topics.ODOM))),
        )
    # The graph shows the subscription before robot1's publisher has surely matched it: let a second of
    # odometry (20 messages at 20 Hz) go by, so robot2's planner has heard robot1 too.
    seen = len(probe.messages(under("/robot1", topics.ODOM)))
    probe.wait_for(under("/robot1", topics.ODOM), start=seen + 20, what="robot1's odometry after the match")

    probe.publish(under("/robot2", topics.ROBOT_COMMAND), String(data="drive to where robot1 is"))
    refused = wait_terminal(probe, "/robot2", "drive to where robot1 is")
    assert refused.status is S.PLANNING_FAILED
    assert "robot '/robot1'" in refused.details and "another robot stands there" in refused.details, (
        refused.details
    )

    probe.publish(under("/robot2", topics.ROBOT_COMMAND), String(data="say hello"))
    assert wait_terminal(probe, "/robot2", "say hello").status is S.SUCCEEDED
