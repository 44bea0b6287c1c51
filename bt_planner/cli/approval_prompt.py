"""The operator prompt of ``bt-planner run``: a plan waiting for approval is shown, stdin answers it.

When the mission opens an approval request, the plan, its verification warnings and why it needs
approval go to stderr, and a line is read from stdin on a background thread (the mission keeps
waiting, and the viewer may answer first): ``y``/``yes`` approves, anything else rejects with that
text as the reason (``n`` alone: no reason). End of input answers nothing: the request waits for
another front end or times out (rejected).
"""

from __future__ import annotations

import getpass
import sys
import threading
from typing import TextIO

from rich.console import Console

from bt_planner.errors import ApprovalError
from bt_planner.tree.mission import ApprovalBroker, ApprovalDecision, ApprovalRequest

_YES = frozenset({"y", "yes", "approve", "ok"})


class ApprovalPrompt:
    """Subscribes to ``broker``; prompts on ``err`` and reads answers from ``stdin``."""

    def __init__(self, broker: ApprovalBroker, *, err: Console, stdin: TextIO | None = None) -> None:
        self.broker = broker
        self.err = err
        self.stdin = stdin if stdin is not None else sys.stdin
        self.user = _user()
        broker.subscribe(self._on_change)

    def _on_change(self, request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        if decision is not None:
            if decision.via != "cli":
                verdict = "approved" if decision.approved else "rejected"
                self.err.print(f"[dim]plan {verdict} by {decision.by} via {decision.via}[/dim]")
            return
        self._show(request)
        threading.Thread(target=self._ask, args=(request,), name="approval-prompt", daemon=True).start()

    def _show(self, request: ApprovalRequest) -> None:
        self.err.print(f"[bold yellow]approval needed[/bold yellow] for {request.command!r}:")
        for index, action in enumerate(request.plan.actions):
            self.err.print(
                f"  {index}. {action.action_type.value} {action.parameters.model_dump(exclude_none=True)}"
            )
        for issue in request.issues:
            self.err.print(f"  [yellow]{issue}[/yellow]")
        for reason in request.reasons:
            self.err.print(f"  [dim]{reason}[/dim]")
        self.err.print(f"approve? [y/N or a reason to reject] (rejects in {request.timeout_s:g} s) ", end="")

    def _ask(self, request: ApprovalRequest) -> None:
        line = self.stdin.readline()
        if not line:
            return  # no input: another front end answers, or the request times out
        answer = line.strip()
        try:
            if answer.lower() in _YES:
                self.broker.approve(request.id, by=self.user, via="cli")
            else:
                reason = "" if answer.lower() in ("", "n", "no") else answer
                self.broker.reject(request.id, by=self.user, via="cli", reason=reason)
        except ApprovalError as error:
            self.err.print(f"[dim]{error}[/dim]")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "operator"
