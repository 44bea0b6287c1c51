"""OpenAI-compatible chat-completions backend (OpenAI, vLLM, llama.cpp server, Ollama, ...).

The SDK is imported when the backend is built, never at ``import bt_planner``. SDK retries are
off (``max_retries=0``): ``CallPolicy`` owns retrying, so the two never stack.

Structured output: strict ``json_schema`` first; if the server rejects that response format (HTTP
400/422), fall back to ``json_object`` and then to plain text, remembering the working mode. The
plan is validated either way.
"""

from __future__ import annotations

import asyncio
import email.utils
import threading
import time
from typing import TYPE_CHECKING, Any

from bt_planner.config import LLMSettings, StructuredOutput
from bt_planner.errors import BackendError
from bt_planner.llm.chat import ChatReply, ChatRequest, TokenUsage

if TYPE_CHECKING:
    import openai

_FALLBACK: dict[StructuredOutput, StructuredOutput] = {"json_schema": "json_object", "json_object": "none"}


def retry_after_seconds(headers: Any) -> float | None:
    """``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date) from a response, if present."""
    if headers is None:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed is not None else None


class OpenAIBackend:
    """Talks to any server that speaks ``/v1/chat/completions``."""

    name = "openai"

    def __init__(self, settings: LLMSettings) -> None:
        import openai

        self._openai = openai
        self._settings = settings
        key = settings.api_key.get_secret_value() if settings.api_key else "no-key-needed"
        self._client_args: dict[str, Any] = {
            "api_key": key,
            "base_url": settings.base_url,
            "timeout": settings.timeout,
            "max_retries": 0,
        }
        self._client = openai.OpenAI(**self._client_args)
        self._async_clients: dict[int, openai.AsyncOpenAI] = {}
        self._mode: StructuredOutput = (
            "json_schema" if settings.structured_output == "auto" else settings.structured_output
        )
        self._auto = settings.structured_output == "auto"
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        return self._settings.model

    @property
    def structured_output(self) -> StructuredOutput:
        """The response format currently in use (after any fallback)."""
        return self._mode

    def _async_client(self) -> openai.AsyncOpenAI:
        loop_id = id(asyncio.get_running_loop())
        with self._lock:
            client = self._async_clients.get(loop_id)
            if client is None:
                client = self._openai.AsyncOpenAI(**self._client_args)
                self._async_clients = {loop_id: client}
            return client

    def _arguments(self, request: ChatRequest, mode: StructuredOutput) -> dict[str, Any]:
        args: dict[str, Any] = {
            "model": self._settings.model,
            "messages": [m.model_dump() for m in request.messages],
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if mode == "json_schema":
            args["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema_name, "schema": request.json_schema, "strict": True},
            }
        elif mode == "json_object":
            args["response_format"] = {"type": "json_object"}
        return args

    def _downgrade(self, mode: StructuredOutput, error: Exception) -> StructuredOutput | None:
        """The next response format to try if the server refused this one, else None."""
        status = getattr(error, "status_code", None)
        # llama-cpp-python's server answers an unsupported response_format with a 500, not a 400.
        refused = status in (400, 422) or (status == 500 and "response_format" in str(error))
        if not self._auto or not refused or mode not in _FALLBACK:
            return None
        nxt = _FALLBACK[mode]
        with self._lock:
            self._mode = nxt
        return nxt

    def _to_reply(self, completion: Any) -> ChatReply:
        if not getattr(completion, "choices", None):
            raise BackendError("the server returned no choices")
        choice = completion.choices[0]
        usage = completion.usage
        return ChatReply(
            content=choice.message.content or "",
            finish_reason=choice.finish_reason,
            model=completion.model or self._settings.model,
            backend=self.name,
            usage=TokenUsage(
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
            ),
        )

    def _classify(self, error: Exception) -> BackendError:
        o = self._openai
        if isinstance(error, o.APITimeoutError):
            return BackendError(f"timed out after {self._settings.timeout:g} s", retryable=True)
        if isinstance(error, o.APIConnectionError):
            return BackendError(
                f"cannot reach {self._settings.base_url or 'the OpenAI API'}: {error}", retryable=True
            )
        if isinstance(error, o.APIStatusError):
            status = error.status_code
            retryable = status in (408, 409, 429) or status >= 500
            wait = retry_after_seconds(error.response.headers) if retryable else None
            return BackendError(f"HTTP {status}: {error.message}", retryable=retryable, retry_after_s=wait)
        return BackendError(f"unexpected reply: {type(error).__name__}: {error}")

    def complete(self, request: ChatRequest) -> ChatReply:
        mode: StructuredOutput | None = self._mode
        while mode is not None:
            try:
                return self._to_reply(self._client.chat.completions.create(**self._arguments(request, mode)))
            except BackendError:
                raise
            except Exception as error:
                mode = self._downgrade(mode, error)
                if mode is None:
                    raise self._classify(error) from error
        raise AssertionError("unreachable")

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        client = self._async_client()
        mode: StructuredOutput | None = self._mode
        while mode is not None:
            try:
                return self._to_reply(await client.chat.completions.create(**self._arguments(request, mode)))
            except BackendError:
                raise
            except Exception as error:
                mode = self._downgrade(mode, error)
                if mode is None:
                    raise self._classify(error) from error
        raise AssertionError("unreachable")
