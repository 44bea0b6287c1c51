"""Test doubles for your own tests: backends that answer without a model, a server or a network.

Give one to ``LLMActionPlanner(backend=...)`` and everything after the model runs for real:
parsing, validation, goal expansion, verification, the repair round, compilation and the tree.

``ScriptedBackend`` replies with a fixed script, one entry per call (a ``Plan``, a ``GoalList``, a
dict, raw text, or a ``BackendError`` to raise), and records every request it saw.
``FunctionBackend`` calls your function with each request, so a reply can depend on the prompt::

    from bt_planner import LLMActionPlanner, Plan
    from bt_planner.backends.testing import ScriptedBackend

    plan = Plan.model_validate({"actions": [{"action_type": "speak", "parameters": {"message": "hi"}}]})
    planner = LLMActionPlanner(backend=ScriptedBackend([plan]))
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from bt_planner.errors import BackendError
from bt_planner.llm.chat import ChatReply, ChatRequest

Scripted = BaseModel | dict[str, Any] | str | BackendError | ChatReply
"""One scripted answer: a model (``Plan``, ``GoalList``, …) or dict sent as its JSON, raw reply text,
a complete ``ChatReply``, or a ``BackendError`` to raise instead of replying."""


def _reply(answer: Scripted, *, backend: str, model: str) -> ChatReply:
    if isinstance(answer, BackendError):
        raise answer
    if isinstance(answer, ChatReply):
        return answer
    if isinstance(answer, BaseModel):
        content = answer.model_dump_json(exclude_none=False)
    elif isinstance(answer, dict):
        content = json.dumps(answer)
    else:
        content = answer
    return ChatReply(content=content, finish_reason="stop", model=model, backend=backend)


class ScriptedBackend:
    """A ``ChatBackend`` that answers each call with the next entry of ``script``.

    Args:
        script: the answers, in call order (see ``Scripted``).
        repeat_last: keep answering with the last entry once the script is used up (default: a
            non-retryable ``BackendError`` saying the script ran out).
        model: the model name reported in replies and results.

    Attributes:
        requests: every ``ChatRequest`` received, in order.
    """

    name = "scripted"

    def __init__(
        self, script: Iterable[Scripted], *, repeat_last: bool = False, model: str = "script"
    ) -> None:
        self._script = list(script)
        self._next = 0
        self._repeat_last = repeat_last
        self.model = model
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> ChatReply:
        """Record ``request`` and give the next scripted answer."""
        self.requests.append(request)
        if self._next >= len(self._script):
            if not (self._repeat_last and self._script):
                raise BackendError(
                    f"ScriptedBackend: the script has {len(self._script)} answer(s) and call "
                    f"{self._next + 1} asked for another"
                )
            return _reply(self._script[-1], backend=self.name, model=self.model)
        answer = self._script[self._next]
        self._next += 1
        return _reply(answer, backend=self.name, model=self.model)

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        """Same as ``complete``."""
        return self.complete(request)


class FunctionBackend:
    """A ``ChatBackend`` whose answers come from ``function(request)`` (see ``Scripted`` for what it may return).

    Args:
        function: called once per request.
        model: the model name reported in replies and results.

    Attributes:
        requests: every ``ChatRequest`` received, in order.
    """

    name = "function"

    def __init__(self, function: Callable[[ChatRequest], Scripted], *, model: str = "function") -> None:
        self._function = function
        self.model = model
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> ChatReply:
        """Record ``request`` and answer with what the function returns."""
        self.requests.append(request)
        return _reply(self._function(request), backend=self.name, model=self.model)

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        """Same as ``complete``."""
        return self.complete(request)


__all__ = ["FunctionBackend", "Scripted", "ScriptedBackend"]
