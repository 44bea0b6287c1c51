"""The one interface every model backend implements: typed chat request in, typed reply out."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict


class TokenUsage(BaseModel):
    model_config = ConfigDict(frozen=True)

    prompt_tokens: int = 0
    completion_tokens: int = 0

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


class ChatReply(BaseModel):
    model_config = ConfigDict(frozen=True)

    content: str
    finish_reason: str | None = None
    model: str = ""
    backend: str = ""
    usage: TokenUsage = TokenUsage()


class ChatBackend(Protocol):
    """A model that completes chats. Implementations raise ``BackendError`` and nothing else."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    def complete(self, request: ChatRequest) -> ChatReply: ...

    async def acomplete(self, request: ChatRequest) -> ChatReply: ...
