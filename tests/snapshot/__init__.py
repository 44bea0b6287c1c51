"""Tests of ``bt_planner.snapshot``."""
