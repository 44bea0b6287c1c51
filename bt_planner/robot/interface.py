"""``RobotInterface``: the small protocol every robot adapter implements (simulator, ROS 2).

Goal-based, like an action client with one active goal: ``send_goal`` replaces any running goal
(the old one ends ``CANCELLED``), ``goal_status`` reports on the latest goal, ``cancel`` stops it
and halts the base. ``state`` is the latest robot snapshot and ``state_age_s`` how old it is, so
guards can refuse to act on stale data. ``now`` is the robot's clock (simulation seconds for the
simulator, ROS time for ROS); leaves use it for timeouts so simulated runs stay deterministic.

Implementations must be safe to call from the tick thread while another thread calls ``cancel``
(an e-stop arrives on whatever thread it arrives on).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bt_planner.core.state import RobotState
from bt_planner.robot.goal_status import GoalStatus
from bt_planner.robot.robot_goals import Goal


@runtime_checkable
class RobotInterface(Protocol):
    """What leaves need from a robot, and nothing more."""

    def send_goal(self, goal: Goal) -> int:
        """Start ``goal`` (pre-empting the current one) and return its id (> 0)."""
        ...

    def goal_status(self) -> GoalStatus:
        """Status of the most recently sent goal."""
        ...

    def cancel(self) -> None:
        """Cancel the current goal, if any, and stop moving. Idempotent."""
        ...

    def state(self) -> RobotState:
        """The latest robot state snapshot."""
        ...

    def now(self) -> float:
        """The robot's clock, seconds."""
        ...

    def state_age_s(self) -> float:
        """Seconds since ``state()`` was last refreshed (0 for a simulator that owns the truth)."""
        ...
