"""Tests of bt_planner.execution: commands through the mission tree on the simulator, and given plans."""
