"""Plan verification before execution: safety limits and a symbolic world-model check.

``Verifier`` checks a whole plan; ``bt_planner.verification.rules`` holds each rule as a small
function with a stable code, shared with the behaviour tree's tick-time guards.
"""

from __future__ import annotations

from bt_planner.verification.verifier import Verifier

__all__ = ["Verifier"]
