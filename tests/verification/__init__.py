"""Tests of ``bt_planner.verification``."""
