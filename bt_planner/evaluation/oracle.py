"""The oracle backend: answers every request with a task's reference plan, so ``--oracle`` runs the
real pipeline (prompt, parse, validate, verify, execute) with a perfect planner in place of a model.
"""

from __future__ import annotations

import json

from bt_planner.llm.chat import ChatReply, ChatRequest
from bt_planner.plans.plan import Plan


class ReferencePlanBackend:
    """A ``ChatBackend`` that always replies with one fixed plan (no tokens, no network)."""

    name = "oracle"
    model = "reference-plan"

    def __init__(self, plan: Plan) -> None:
        self._content = json.dumps(plan.to_wire())

    def complete(self, request: ChatRequest) -> ChatReply:
        return ChatReply(content=self._content, finish_reason="stop", model=self.model, backend=self.name)

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        return self.complete(request)
