"""Tests of ``bt_planner.planning``."""
