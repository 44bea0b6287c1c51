"""``PlanStore``: the plans ``plan`` and ``verify_plan`` handed out ids for, with their verdicts.

Each entry keeps the plan, the issues verification found, whether it passed, and the
``StateFingerprint`` it was verified against, so that ``execute`` can refuse a plan that failed or
whose world has changed since. The store holds at most ``capacity`` plans; the oldest go first.
Thread-safe.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import OrderedDict

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.mcp_server.state_fingerprint import StateFingerprint
from bt_planner.plans.plan import Plan


class StoredPlan(BaseModel):
    """A plan with an id, what it is for, and the verdict of its verification."""

    model_config = ConfigDict(frozen=True)

    plan_id: str
    command: str
    plan: Plan
    verified: bool = Field(description="true when verification found no error")
    issues: list[PlanIssue] = Field(default_factory=list)
    verified_against: StateFingerprint
    source: str = Field(
        description="'plan' (the server's planner wrote it) or 'verify_plan' (the client did)"
    )


class PlanStore:
    """Plan id -> ``StoredPlan``, bounded; ids are unguessable (a counter plus random hex)."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._plans: OrderedDict[str, StoredPlan] = OrderedDict()
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        """A fresh plan id, e.g. ``plan-3-9f1c2a``."""
        return f"plan-{next(self._counter)}-{secrets.token_hex(3)}"

    def add(self, stored: StoredPlan) -> None:
        with self._lock:
            self._plans[stored.plan_id] = stored
            while len(self._plans) > self._capacity:
                self._plans.popitem(last=False)

    def get(self, plan_id: str) -> StoredPlan | None:
        with self._lock:
            return self._plans.get(plan_id)
