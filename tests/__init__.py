"""Tests of bt_planner.."""
