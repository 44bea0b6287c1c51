"""Tests of ``bt_planner.evaluation``."""
