"""The seam every execution passes through: ``ExecutionRequest`` in, ``GateDecision`` out.

``RobotSession.admit`` first applies the checks nobody may remove (e-stop, one run at a time, the
plan passed verification, it is not stale, it verifies again now), then asks each extra
``ExecutionGate`` in order; the first that refuses wins. An approval policy (a human in the loop)
or a journal that records every request plugs in here as a gate.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.plans.plan import Plan


class ExecutionRequest(BaseModel):
    """What a client asked to execute: a stored plan (``plan_id``, ``plan``) or a ``command`` to plan."""

    model_config = ConfigDict(frozen=True)

    client: str = Field(description="who asked: 'stdio', or the HTTP client's token name")
    command: str
    plan_id: str | None = None
    plan: Plan | None = Field(default=None, description="the stored plan; None for a command")


class GateDecision(BaseModel):
    """Allowed, or refused with the reason, the check (``rule``) and any verification issues."""

    model_config = ConfigDict(frozen=True)

    allowed: bool
    reason: str = ""
    rule: str | None = None
    issues: list[PlanIssue] = Field(default_factory=list)


ALLOW = GateDecision(allowed=True)


class ExecutionGate(Protocol):
    """Reviews a request the built-in checks allowed; called on a worker thread, may block."""

    def review(self, request: ExecutionRequest) -> GateDecision:
        """Allow ``request`` or refuse it with the reason."""
        ...
