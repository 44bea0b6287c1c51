"""The boundary between behaviour-tree leaves and a robot: typed goals, goal status, ``RobotInterface``.

Leaves only talk to this protocol, so the same tree runs against the in-process simulator
(:mod:`bt_planner.sim`) and the ROS 2 adapter. Nothing here imports rclpy.
"""

from bt_planner.robot.goal_status import Detection, GoalState, GoalStatus
from bt_planner.robot.interface import RobotInterface
from bt_planner.robot.robot_goals import (
    DetectGoal,
    DriveGoal,
    Goal,
    GraspGoal,
    PlaceGoal,
    SpeakGoal,
    TurnGoal,
)

__all__ = [
    "DetectGoal",
    "Detection",
    "DriveGoal",
    "Goal",
    "GoalState",
    "GoalStatus",
    "GraspGoal",
    "PlaceGoal",
    "RobotInterface",
    "SpeakGoal",
    "TurnGoal",
]
