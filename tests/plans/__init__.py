"""Tests of ``bt_planner.plans``."""
