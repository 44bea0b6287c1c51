"""Tests of ``bt_planner.backends.local``."""
