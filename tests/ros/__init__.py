"""Tests of bt_planner.ros."""
