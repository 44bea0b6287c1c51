"""``ApprovalBroker``: where a plan waits for an operator, and where every front end answers.

The mission's ``AwaitApproval`` leaf opens a request (on the ticking thread) and polls it; any
thread answers it: the CLI prompt, the viewer's approve/reject endpoints, a ROS service, an MCP
tool. Each answer names who gave it (``by``) and through what (``via``); the first answer wins,
later ones raise ``ApprovalError``. A request not answered within its ``timeout_s`` (wall clock,
since a human answers) is decided as rejected, ``timed_out``. Subscribers hear of every request
opened and every decision, outside the broker's lock.

Front ends call::

    for request in broker.pending():             # ApprovalRequest: plan, issues, reasons, deadline
        broker.approve(request.id, by="alice", via="ros")
        # or broker.reject(request.id, by="alice", via="ros", reason="not now")
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.errors import ApprovalError
from bt_planner.plans.plan import Plan


class ApprovalRequest(BaseModel):
    """A verified plan waiting for an operator. ``reasons`` say why it needs approval."""

    model_config = ConfigDict(frozen=True)

    id: str
    command_id: int
    command: str
    source: str = "api"
    attempt: int = 1
    plan: Plan
    issues: list[PlanIssue] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    timeout_s: float
    requested_at: float = Field(description="Unix time (wall clock) it was opened")


class ApprovalDecision(BaseModel):
    """How a request was decided: approved or not, by whom, via what, and why."""

    model_config = ConfigDict(frozen=True)

    request_id: str
    approved: bool
    by: str
    via: str
    reason: str = ""
    timed_out: bool = False
    decided_at: float = Field(description="Unix time (wall clock)")


ApprovalListener = Callable[[ApprovalRequest, "ApprovalDecision | None"], None]
"""Called with a request when it opens (decision None) and again with its decision."""


class ApprovalBroker:
    """Thread-safe pending approvals with deadlines on ``clock`` (default ``time.monotonic``).

    Args:
        clock: seconds, monotonic; tests pass a controllable one.
        wall_clock: Unix seconds for the records (default ``time.time``).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._wall = wall_clock
        self._changed = threading.Condition()
        self._requests: dict[str, ApprovalRequest] = {}
        self._deadlines: dict[str, float] = {}
        self._decisions: dict[str, ApprovalDecision] = {}
        self._listeners: list[ApprovalListener] = []
        self._version = 0

    def subscribe(self, listener: ApprovalListener) -> None:
        """Hear of every request opened and every decision (on the thread that caused it)."""
        self._listeners.append(listener)

    def open(
        self,
        *,
        command_id: int,
        command: str,
        plan: Plan,
        issues: list[PlanIssue],
        reasons: list[str],
        timeout_s: float,
        source: str = "api",
        attempt: int = 1,
    ) -> ApprovalRequest:
        """Open a request for ``plan``; it is pending until answered, withdrawn or timed out."""
        request = ApprovalRequest(
            id=secrets.token_hex(6),
            command_id=command_id,
            command=command,
            source=source,
            attempt=attempt,
            plan=plan,
            issues=list(issues),
            reasons=list(reasons),
            timeout_s=timeout_s,
            requested_at=self._wall(),
        )
        with self._changed:
            self._requests[request.id] = request
            self._deadlines[request.id] = self._clock() + timeout_s
            self._version += 1
            self._changed.notify_all()
        self._tell(request, None)
        return request

    def approve(self, request_id: str, *, by: str, via: str) -> ApprovalDecision:
        """Approve a pending request. Raises ``ApprovalError`` if it is unknown or already decided."""
        return self._decide(request_id, approved=True, by=by, via=via, reason="")

    def reject(self, request_id: str, *, by: str, via: str, reason: str = "") -> ApprovalDecision:
        """Reject a pending request with ``reason``. Raises ``ApprovalError`` like ``approve``."""
        return self._decide(request_id, approved=False, by=by, via=via, reason=reason)

    def withdraw(self, request_id: str, reason: str) -> ApprovalDecision | None:
        """Close a pending request nobody answered (its command ended); None if it was decided."""
        try:
            return self._decide(request_id, approved=False, by="bt_planner", via="mission", reason=reason)
        except ApprovalError:
            return None

    def decision(self, request_id: str) -> ApprovalDecision | None:
        """The decision on ``request_id``; a request past its deadline is decided now, timed out."""
        with self._changed:
            decided = self._decisions.get(request_id)
            deadline = self._deadlines.get(request_id)
            if decided is not None or deadline is None or self._clock() < deadline:
                return decided
        request = self._requests[request_id]
        try:
            return self._decide(
                request_id,
                approved=False,
                by="bt_planner",
                via="timeout",
                reason=f"no answer within {request.timeout_s:g} s",
                timed_out=True,
            )
        except ApprovalError:  # answered in the meantime
            return self._decisions[request_id]

    def seconds_left(self, request_id: str) -> float:
        """Seconds until ``request_id`` times out (0 when decided or past its deadline)."""
        with self._changed:
            if request_id in self._decisions or request_id not in self._deadlines:
                return 0.0
            return max(0.0, self._deadlines[request_id] - self._clock())

    def get(self, request_id: str) -> ApprovalRequest | None:
        with self._changed:
            return self._requests.get(request_id)

    def pending(self) -> list[ApprovalRequest]:
        """Requests waiting for an answer, oldest first."""
        with self._changed:
            return [r for key, r in self._requests.items() if key not in self._decisions]

    def wait(self, *, seen: int, timeout_s: float | None) -> int:
        """Block until something changed after version ``seen`` (or ``timeout_s``); the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != seen, timeout=timeout_s)
            return self._version

    def wake(self) -> None:
        """Wake every ``wait`` without deciding anything (the mission was cancelled or stopped)."""
        with self._changed:
            self._version += 1
            self._changed.notify_all()

    @property
    def version(self) -> int:
        """Bumped on every request opened, every decision and every ``wake`` (for ``wait``)."""
        with self._changed:
            return self._version

    def _decide(
        self, request_id: str, *, approved: bool, by: str, via: str, reason: str, timed_out: bool = False
    ) -> ApprovalDecision:
        with self._changed:
            request = self._requests.get(request_id)
            if request is None:
                raise ApprovalError(
                    f"no approval request {request_id!r}; pending: {sorted(self._pending_ids())}"
                )
            earlier = self._decisions.get(request_id)
            if earlier is not None:
                verdict = "approved" if earlier.approved else "rejected"
                raise ApprovalError(
                    f"approval request {request_id!r} was already {verdict} by {earlier.by} via {earlier.via}"
                )
            decision = ApprovalDecision(
                request_id=request_id,
                approved=approved,
                by=by,
                via=via,
                reason=reason,
                timed_out=timed_out,
                decided_at=self._wall(),
            )
            self._decisions[request_id] = decision
            self._version += 1
            self._changed.notify_all()
        self._tell(request, decision)
        return decision

    def _pending_ids(self) -> list[str]:
        return [key for key in self._requests if key not in self._decisions]

    def _tell(self, request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        for listener in list(self._listeners):
            listener(request, decision)
