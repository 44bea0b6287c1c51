"""The simulated humanoid: ``SimulatedRobot`` (a ``RobotInterface``), its ``SimClock`` and ``SimParams``."""

from bt_planner.sim.clock import SimClock
from bt_planner.sim.params import SimParams
from bt_planner.sim.realtime import RealTimePacer
from bt_planner.sim.robot import SimulatedRobot

__all__ = ["RealTimePacer", "SimClock", "SimParams", "SimulatedRobot"]
