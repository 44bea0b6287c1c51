"""Decorators that keep an action safe while it runs: ``SafetyGuard`` and ``ActionTimeout``."""

from bt_planner.tree.guards.checks import ALL_CHECKS, CHECKS, LiveState
from bt_planner.tree.guards.safety_guard import SafetyGuard
from bt_planner.tree.guards.timeout import ActionTimeout

__all__ = ["ALL_CHECKS", "CHECKS", "ActionTimeout", "LiveState", "SafetyGuard"]
