"""Tests of ``bt_planner.cli``."""
