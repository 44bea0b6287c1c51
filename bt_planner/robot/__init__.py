"""The boundary between behaviour-tree leaves and a robot: typed goals, goal status, ``RobotInterface``.

Leaves only talk to this protocol, so the same tree runs against the in-process simulator
(:mod:`bt_planner.sim`) and the ROS 2 adapter. Nothing here imports rclpy.
"""

from bt_planner.robot.goals import DetectGoal, DriveGoal, Goal, GraspGoal, PlaceGoal, SpeakGoal, TurnGoal
from bt_planner.robot.interface import RobotInterface
from bt_planner.robot.status import Detection, GoalState, GoalStatus

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
