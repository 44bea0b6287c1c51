"""The simulated humanoid: ``SimulatedRobot`` (a ``RobotInterface``), its ``SimClock`` and ``SimParams``."""

from bt_planner.sim.clock import SimClock
from bt_planner.sim.realtime import RealTimePacer
from bt_planner.sim.sim_params import SimParams
from bt_planner.sim.simulated_robot import SimulatedRobot

__all__ = ["RealTimePacer", "SimClock", "SimParams", "SimulatedRobot"]
