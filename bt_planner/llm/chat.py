"""The one interface every model backend implements: typed chat request in, typed reply out."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.text import SafeStr


class TokenUsage(BaseModel):
    """Tokens a call used, as the server counted them (never negative: backends clamp and warn)."""

    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ChatMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class ChatRequest(BaseModel):
    """One completion call. ``json_schema`` is the per-request plan schema (treat as read-only)."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[ChatMessage, ...]
    json_schema: dict[str, Any]
    schema_name: str = "action_plan"
    temperature: float = 0.0
    max_tokens: int = 1024
    deadline: float | None = None
    """``time.monotonic()`` by which the planning call must end; backends cancel the request then."""


class ChatReply(BaseModel):
    model_config = ConfigDict(frozen=True)

    content: SafeStr
    finish_reason: str | None = None
    model: SafeStr = ""
    backend: str = ""
    usage: TokenUsage = TokenUsage()
    warnings: tuple[str, ...] = ()
    """Anomalies in an otherwise usable reply (e.g. negative token counts), for the result's issues."""


class ChatBackend(Protocol):
    """A model that completes chats. Implementations raise ``BackendError`` and nothing else."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    def complete(self, request: ChatRequest) -> ChatReply: ...

    async def acomplete(self, request: ChatRequest) -> ChatReply: ...
