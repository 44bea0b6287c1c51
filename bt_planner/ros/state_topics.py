"""The robot-state subscriptions as ``TopicToBlackboard`` leaves, and the ``RobotState`` they add up to.

Blackboard keys written (one leaf each):

==========================  ====================  ==================================
key                         type                  topic
==========================  ====================  ==================================
``/robot/pose``             ``Pose``              ``odom`` (nav_msgs/Odometry)
``/robot/battery_percent``  ``float`` (0-100)     ``battery_state`` (sensor_msgs/BatteryState)
``/robot/joints``           ``dict[str, float]``  ``joint_states`` (sensor_msgs/JointState)
``/robot/gripper``          ``GripperReading``    ``gripper_state`` (String JSON)
``/robot/detections``       ``DetectionsMessage``  ``detections`` (String JSON)
==========================  ====================  ==================================
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import py_trees
from nav_msgs.msg import Odometry
from rclpy.node import Node
from sensor_msgs.msg import BatteryState, JointState
from std_msgs.msg import String

from bt_planner.core.state import RobotState
from bt_planner.ros import conversions, qos, topics
from bt_planner.ros.payloads import DetectionsMessage, GripperReading
from bt_planner.ros.to_blackboard import TopicToBlackboard

POSE = "/robot/pose"
BATTERY_PERCENT = "/robot/battery_percent"
JOINTS = "/robot/joints"
GRIPPER = "/robot/gripper"
DETECTIONS = "/robot/detections"


class StateTopics:
    """Owns the state leaves; ``root`` ticks them all; ``state()`` and ``age_s()`` read their data.

    Call ``setup(node)`` once to subscribe. ``root`` is a parallel of the leaves that succeeds once every
    required topic has delivered a message, and stays RUNNING until then.

    ``required`` names the topics whose silence makes the state stale (joint states and detections are
    optional: a base without an arm publishes no joints, and detections come only from detect goals).
    """

    def __init__(
        self,
        *,
        required: tuple[str, ...] = (topics.ODOM.name, topics.BATTERY.name, topics.GRIPPER_STATE.name),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        def leaf(
            name: str, topic: topics.Topic, msg_type: type[Any], key: str, convert: Callable[[Any], Any]
        ) -> Any:
            return TopicToBlackboard(
                name,
                topic_name=topic.name,
                topic_type=msg_type,
                qos_profile=qos.for_topic(topic),
                blackboard_key=key,
                convert=convert,
                clock=clock,
            )

        self.pose: TopicToBlackboard[Any] = leaf(
            "Odometry → pose", topics.ODOM, Odometry, POSE, conversions.pose_from_odometry
        )
        self.battery: TopicToBlackboard[float] = leaf(
            "Battery → percent",
            topics.BATTERY,
            BatteryState,
            BATTERY_PERCENT,
            conversions.percent_from_battery,
        )
        self.joints: TopicToBlackboard[dict[str, float]] = leaf(
            "Joint states → joints",
            topics.JOINT_STATES,
            JointState,
            JOINTS,
            conversions.positions_from_joint_state,
        )
        self.gripper: TopicToBlackboard[GripperReading] = leaf(
            "Gripper → gripper",
            topics.GRIPPER_STATE,
            String,
            GRIPPER,
            lambda msg: conversions.model_from_string(msg, GripperReading),
        )
        self.detections: TopicToBlackboard[DetectionsMessage] = leaf(
            "Detections → detections",
            topics.DETECTIONS,
            String,
            DETECTIONS,
            lambda msg: conversions.model_from_string(msg, DetectionsMessage),
        )
        self.leaves: tuple[TopicToBlackboard[Any], ...] = (
            self.pose, self.battery, self.joints, self.gripper, self.detections
        )  # fmt: skip
        unknown = set(required) - {leaf.topic_name for leaf in self.leaves}
        if unknown:
            raise ValueError(f"unknown required state topics {sorted(unknown)}; known: odom, battery_state, "
                             "joint_states, gripper_state, detections")  # fmt: skip
        self.required = tuple(leaf for leaf in self.leaves if leaf.topic_name in required)
        self.root = py_trees.composites.Parallel(
            name="Robot topics → blackboard",
            policy=py_trees.common.ParallelPolicy.SuccessOnSelected(
                children=list(self.required), synchronise=False
            ),
            children=list(self.leaves),
        )
        """SUCCESS once every required topic has delivered (optional ones never hold it up); RUNNING before,
        so a tree that puts it first waits for the robot before it acts."""
        self._reader = py_trees.blackboard.Client(name="StateTopics")
        for key in (POSE, BATTERY_PERCENT, JOINTS, GRIPPER):
            self._reader.register_key(key=key, access=py_trees.common.Access.READ)

    def setup(self, node: Node) -> None:
        """Subscribe every leaf on ``node``."""
        for leaf in self.leaves:
            leaf.setup(node=node)

    def shutdown(self) -> None:
        for leaf in self.leaves:
            leaf.shutdown()

    def state(self, fallback: RobotState) -> RobotState:
        """The robot state from the blackboard; fields not received yet come from ``fallback``."""
        reader = self._reader
        pose = reader.get(POSE) if reader.exists(POSE) else fallback.pose
        battery = reader.get(BATTERY_PERCENT) if reader.exists(BATTERY_PERCENT) else fallback.battery_percent
        joints = reader.get(JOINTS) if reader.exists(JOINTS) else fallback.joints
        gripper = reader.get(GRIPPER) if reader.exists(GRIPPER) else None
        return RobotState(
            pose=pose,
            battery_percent=battery,
            gripper=gripper.state if gripper is not None else fallback.gripper,
            holding=gripper.holding if gripper is not None else fallback.holding,
            joints=dict(joints),
            timestamp=time.time() - min(self.pose.age_s(), time.time()),
        )

    def age_s(self) -> float:
        """Age of the stalest required topic (``inf`` if one never arrived)."""
        return max((leaf.age_s() for leaf in self.required), default=0.0)

    def stale_topics(self, max_age_s: float) -> list[str]:
        """Required topics silent for longer than ``max_age_s``, for messages that say why."""
        return [leaf.topic_name for leaf in self.required if leaf.age_s() > max_age_s]
