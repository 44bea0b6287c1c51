"""Tests of ``bt_planner.tree``."""
