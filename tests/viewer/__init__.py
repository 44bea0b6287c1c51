"""Tests of ``bt_planner.viewer``."""
