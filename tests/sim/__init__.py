"""Tests of ``bt_planner.sim``."""
