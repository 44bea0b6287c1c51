"""Tests of ``bt_planner.llm``."""
