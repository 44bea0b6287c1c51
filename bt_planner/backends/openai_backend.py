"""OpenAI-compatible chat-completions backend (OpenAI, vLLM, llama.cpp server, Ollama, ...).

The SDK is imported when the backend is built, never at ``import bt_planner``. SDK retries are
off (``max_retries=0``): ``CallPolicy`` owns retrying, so the two never stack.

Structured output: strict ``json_schema`` first; if the server rejects that response format (HTTP
400/422), fall back to ``json_object`` and then to plain text, remembering the working mode. The
plan is validated either way.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import math
import threading
import time
from typing import TYPE_CHECKING, Any

from bt_planner.config import LLMSettings, StructuredOutput
from bt_planner.errors import BackendError
from bt_planner.llm.background_loop import BackgroundLoop
from bt_planner.llm.chat import ChatReply, ChatRequest, TokenUsage

if TYPE_CHECKING:
    import openai

_FALLBACK: dict[StructuredOutput, StructuredOutput] = {"json_schema": "json_object", "json_object": "none"}


def _seconds(text: str) -> float | None:
    """A finite, non-negative number of seconds from a header value, else None."""
    try:
        value = float(text.strip())
    except (ValueError, OverflowError):
        return None
    return max(0.0, value) if math.isfinite(value) else None


def retry_after_seconds(headers: Any, *, now: float | None = None) -> float | None:
    """``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date) from a response, if usable.

    Anything else ("soon", an empty value, NaN, a malformed date) is ignored (None); a past date is
    0. Never raises. Callers cap the value (``retry.max_retry_after_s``).
    """
    if headers is None:
        return None
    try:
        ms, value = headers.get("retry-after-ms"), headers.get("retry-after")
    except Exception:  # a headers object that cannot be read is no Retry-After
        return None
    if isinstance(ms, str) and (millis := _seconds(ms)) is not None:
        return millis / 1000
    if not isinstance(value, str) or not value.strip():
        return None
    if (seconds := _seconds(value)) is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:  # RFC 9110 dates are GMT
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    try:
        wait = parsed.timestamp() - (now if now is not None else time.time())
    except (OverflowError, OSError, ValueError):
        return None
    return max(0.0, wait) if math.isfinite(wait) else None


def _count(value: Any) -> int | None:
    """A token count as reported, or None when it is missing or not an integer."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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
        self._runner = BackgroundLoop(name="bt-planner-openai")
        # Built here, not on the loop: building a client loads TLS certificates, which would block
        # the loop (and every deadline timer on it) for up to seconds on a busy machine.
        self._runner_client = openai.AsyncOpenAI(**self._client_args)
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
        if self._runner.in_loop_thread():
            return self._runner_client
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
        counts = {
            "prompt_tokens": _count(getattr(usage, "prompt_tokens", 0)),
            "completion_tokens": _count(getattr(usage, "completion_tokens", 0)),
        }
        warnings = tuple(
            f"the server reported {name}={getattr(usage, name, None)!r}; counted as 0"
            for name, value in counts.items()
            if value is None or value < 0
        )
        content = choice.message.content
        return ChatReply(
            content=content if isinstance(content, str) else "",
            finish_reason=choice.finish_reason if isinstance(choice.finish_reason, str) else None,
            model=completion.model if isinstance(completion.model, str) and completion.model else self.model,
            backend=self.name,
            usage=TokenUsage(**{name: max(0, value or 0) for name, value in counts.items()}),
            warnings=warnings,
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
        """One completion, run on the backend's own event loop so the deadline can cancel it.

        A blocking socket read cannot be interrupted, and the SDK's timeout is per read (a server
        that sends its body a byte at a time never trips it); an asyncio task can be cancelled.
        """
        return self._runner.run(self.acomplete(request))

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        """One completion, ended after ``llm.timeout`` s (retryable) or at ``request.deadline`` (final)."""
        budget = self._settings.timeout
        if request.deadline is not None:
            remaining = request.deadline - time.monotonic()
            if remaining <= 0:
                raise BackendError("the planning deadline passed before the request was sent")
            budget = min(budget, remaining)
        try:
            return await asyncio.wait_for(self._acomplete(request, timeout=budget), timeout=budget)
        except asyncio.TimeoutError as error:
            if budget < self._settings.timeout:
                raise BackendError(
                    f"no complete reply within the planning deadline ({budget:.1f} s were left); "
                    "the request was cancelled"
                ) from error
            raise BackendError(f"timed out after {self._settings.timeout:g} s", retryable=True) from error

    async def _acomplete(self, request: ChatRequest, *, timeout: float) -> ChatReply:
        client = self._async_client()
        mode: StructuredOutput | None = self._mode
        while mode is not None:
            try:
                completion = await client.chat.completions.create(
                    **self._arguments(request, mode), timeout=timeout
                )
                return self._to_reply(completion)
            except BackendError:
                raise
            except Exception as error:
                mode = self._downgrade(mode, error)
                if mode is None:
                    raise self._classify(error) from error
        raise AssertionError("unreachable")
