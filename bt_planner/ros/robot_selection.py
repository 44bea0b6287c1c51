"""Which robot adapter the planner node drives: the ``robot_adapter`` parameter.

``topics`` is :class:`bt_planner.ros.robot_adapter.RosRobot` alone (the simulator's goal_pose / goal_status
protocol). ``nav2`` is :class:`bt_planner.ros.nav2_navigation.Nav2Robot`: base goals through Nav2's
``NavigateToPose`` action, manipulation, speech, perception and robot state still through ``RosRobot``.
"""

from __future__ import annotations

from rclpy.node import Node

from bt_planner.core.state import RobotState
from bt_planner.robot.interface import RobotInterface
from bt_planner.ros.node_parameters import PlannerNodeParameters
from bt_planner.ros.robot_adapter import RosRobot
from bt_planner.ros.state_topics import StateTopics


def select_robot(
    node: Node, *, params: PlannerNodeParameters, state_topics: StateTopics, fallback: RobotState
) -> RobotInterface:
    """The robot adapter ``params.robot_adapter`` names, built on ``node``."""
    topic_robot = RosRobot(node, state_topics=state_topics, fallback=fallback, frame_id=params.frame_id)
    if params.robot_adapter == "topics":
        return topic_robot
    from bt_planner.ros.nav2_navigation import Nav2Robot

    return Nav2Robot(
        node,
        others=topic_robot,
        frame_id=params.frame_id,
        action_name=params.nav2_action,
        server_timeout_s=params.nav2_server_timeout_s,
        behavior_tree=params.nav2_behavior_tree,
    )
