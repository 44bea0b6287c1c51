"""Decorators that keep an action safe while it runs: ``SafetyGuard`` and ``ActionTimeout``."""

from bt_planner.tree.guards.action_timeout import ActionTimeout
from bt_planner.tree.guards.guard_checks import ALL_CHECKS, CHECKS, LiveState
from bt_planner.tree.guards.safety_guard import SafetyGuard

__all__ = ["ALL_CHECKS", "CHECKS", "ActionTimeout", "LiveState", "SafetyGuard"]
