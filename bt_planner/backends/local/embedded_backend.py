"""The embedded backend: a small GGUF model run in-process by llama.cpp, no key and no network.

The model is ``llm.local_model`` from the registry (``model_registry``; assembled once into a
cache directory from its hash-pinned parts), or any ``llm.local_model_path``. How it is prompted
depends on what it is:

* an **instruct** model (the Qwen2.5-Coder models, or any GGUF with a ``tokenizer.chat_template``)
  gets the request's own turns rendered with its own chat template (``chat_template``), and for
  an action plan a fixed few worked examples as earlier turns (``chat_examples``; a goal-list
  request brings its own); replies are compact JSON;
* a **base** model (Gemma 3 270M) gets one few-shot completion document with examples chosen for
  the command (``few_shot``); a goal-list request, which brings its own examples as chat turns,
  becomes a transcript of them.

Either way the reply is decoded under a grammar compiled from the request's JSON schema, so it
always parses and names only the world's names; for action plans the decoder also vetoes a
navigate step to where the robot already is and a place step elsewhere (``decode_constraints``),
and goal lists get no veto. Verification and repair then work as for any remote model. One model
is loaded per process and shared; calls are serialised on its lock.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence

import llama_cpp

from bt_planner.backends.local.chat_examples import fixed_examples, with_examples
from bt_planner.backends.local.chat_template import TEMPLATE_KEY, chat_prompt
from bt_planner.backends.local.decode_constraints import plan_veto, writes_actions
from bt_planner.backends.local.decoding import decode
from bt_planner.backends.local.example_bank import Example, packaged_examples
from bt_planner.backends.local.few_shot import DEFAULT_EXAMPLES, build_prompt, transcript_prompt
from bt_planner.backends.local.grammar import grammar_for_schema
from bt_planner.backends.local.loaded_model import LoadedModel, shared_model
from bt_planner.backends.local.model_file import ModelWeights, resolve_weights
from bt_planner.backends.local.model_registry import Prompting
from bt_planner.backends.local.prompt_tokens import PromptTokens
from bt_planner.config import LLMSettings
from bt_planner.errors import BackendError, BackendUnavailable, DecodingError, ModelFileError
from bt_planner.llm.chat import ChatMessage, ChatReply, ChatRequest, TokenUsage

log = logging.getLogger(__name__)


def _token_text(model: LoadedModel, token: int) -> str:
    if token < 0:
        return ""
    vocab = llama_cpp.llama_model_get_vocab(model.llama.model)
    raw: bytes = llama_cpp.llama_vocab_get_text(vocab, token)
    return raw.decode("utf-8", errors="replace")


def _prompting(weights: ModelWeights, template: str | None) -> Prompting:
    """The registry's word for a registry model (which must then have what it needs), else the file's."""
    if weights.model is None:
        return "chat" if template else "few_shot"
    if weights.model.prompting == "chat" and not template:
        raise ModelFileError(
            f"{weights.path} has no {TEMPLATE_KEY}, but {weights.model.name} is an instruct model"
        )
    return weights.model.prompting


class LocalLlamaBackend:
    """``ChatBackend`` over an in-process llama.cpp model; ``model`` names the weights."""

    name = "local"

    def __init__(
        self,
        settings: LLMSettings,
        *,
        examples: Sequence[Example] | None = None,
        max_examples: int = DEFAULT_EXAMPLES,
    ) -> None:
        try:
            weights = resolve_weights(settings.local_model, settings.local_model_path)
            self._model: LoadedModel = shared_model(
                weights.path, context_tokens=settings.local_context, threads=settings.local_threads
            )
            template = self._model.llama.metadata.get(TEMPLATE_KEY)
            self._prompting: Prompting = _prompting(weights, template)
        except (ModelFileError, RuntimeError) as error:
            raise BackendUnavailable(f"the embedded model cannot start: {error}") from error
        self._weights = weights
        self._template: str = template or ""
        self._examples = tuple(examples) if examples is not None else packaged_examples()
        self._max_examples = max_examples

    @property
    def model(self) -> str:
        """The model's name in results (the registry label, or the file's stem)."""
        return self._weights.label

    @property
    def prompting(self) -> Prompting:
        """``chat`` (the model's chat template) or ``few_shot`` (a completion document)."""
        return self._prompting

    @property
    def threads(self) -> int:
        """llama.cpp threads in use."""
        return self._model.threads

    def _count_tokens(self, text: str) -> int:
        return len(self._model.llama.tokenize(text.encode("utf-8"), add_bos=True, special=False))

    def _tokenize(self, text: str, special: bool) -> list[int]:
        tokens: list[int] = self._model.llama.tokenize(text.encode("utf-8"), add_bos=False, special=special)
        return tokens

    def chat_prompt(self, request: ChatRequest, *, budget: int | None = None) -> PromptTokens:
        """``request``'s turns in the model's chat template, tokenized (instruct models only).

        An action-plan request gets the fixed worked examples after its system turn, unless they
        would take the prompt past ``budget`` tokens.
        """
        llama = self._model.llama
        vocab = llama_cpp.llama_model_get_vocab(llama.model)
        bos = llama.token_bos()

        def render(messages: tuple[ChatMessage, ...]) -> PromptTokens:
            return chat_prompt(
                messages,
                self._template,
                self._tokenize,
                bos_token=_token_text(self._model, bos),
                eos_token=_token_text(self._model, llama.token_eos()),
                bos_id=bos if bos >= 0 and llama_cpp.llama_vocab_get_add_bos(vocab) else None,
            )

        if writes_actions(request.json_schema):
            prompt = render(with_examples(request.messages, fixed_examples()))
            if budget is None or len(prompt.tokens) <= budget:
                return prompt
            log.debug("the worked examples do not fit in %d prompt tokens; planning without them", budget)
        return render(request.messages)

    def _prompt(self, request: ChatRequest, budget: int) -> tuple[str | PromptTokens, tuple[str, ...]]:
        """The prompt for ``request`` and the commands of the examples in it (none for chat prompts)."""
        if self._prompting == "chat":
            prompt = self.chat_prompt(request, budget=budget)
            if len(prompt.tokens) > budget:
                raise ValueError(
                    f"the request needs {len(prompt.tokens)} tokens, more than the {budget} left for the prompt"
                )
            return prompt, ()
        if not writes_actions(request.json_schema):  # e.g. a goal list: the bank's plans do not fit
            transcript = transcript_prompt(request, count_tokens=self._count_tokens, budget=budget)
            return transcript.text, ()
        few_shot = build_prompt(
            request,
            bank=self._examples,
            count_tokens=self._count_tokens,
            budget=budget,
            max_examples=self._max_examples,
        )
        return few_shot.text, few_shot.examples

    def complete(self, request: ChatRequest) -> ChatReply:
        """Decode one reply to ``request`` under its schema's grammar (raises ``BackendError`` only).

        Decoding stops at ``request.deadline`` (checked before every token): the reply is then a
        final ``BackendError``, not a truncated plan.
        """
        return self._complete(request, cancelled=None)

    def _complete(self, request: ChatRequest, *, cancelled: threading.Event | None) -> ChatReply:
        context = self._model.context_tokens
        reserve = min(request.max_tokens, context // 2)
        should_stop = _stopper(request.deadline, cancelled)
        wait_s = -1.0 if request.deadline is None else max(0.0, request.deadline - time.monotonic())
        try:
            grammar = grammar_for_schema(request.json_schema, compact=self._prompting == "chat")
            if not self._model.lock.acquire(timeout=wait_s):
                raise BackendError(
                    "local model: busy with another request until the planning deadline passed"
                )
            try:
                started = time.perf_counter()
                prompt, examples = self._prompt(request, context - reserve)
                decoded = decode(
                    self._model,
                    prompt,
                    grammar,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    veto=plan_veto(request.json_schema),
                    # Prompt-lookup drafts pay off where a base model copies its examples (gemma: 35.6
                    # vs 20.8 tok/s); an instruct model's short replies gain from grammar-forced text
                    # instead (qwen2.5-coder-1.5b, goals: 22.3 tok/s forced, 16.8 none, 9.5 lookup).
                    drafts="lookup" if self._prompting == "few_shot" else "forced",
                    should_stop=should_stop,
                )
                elapsed = time.perf_counter() - started
            finally:
                self._model.lock.release()
        except ValueError as error:  # the prompt does not fit
            raise BackendError(
                f"local model: {error} (context {context} tokens, of which max_tokens reserves {reserve}; "
                "raise llm.local_context or lower llm.max_tokens)"
            ) from error
        except DecodingError as error:
            raise BackendError(f"local model: {error}") from error
        log.debug(
            "local plan (%s): %d prompt (%d from cache) + %d completion tokens (%d drafted) in %.2f s; examples %s",
            self._prompting, decoded.prompt_tokens, decoded.reused_prompt_tokens, decoded.completion_tokens,
            decoded.drafted_tokens, elapsed, examples,
        )  # fmt: skip
        return ChatReply(
            content=decoded.text,
            finish_reason=decoded.finish_reason,
            model=self.model,
            backend=self.name,
            usage=TokenUsage(
                prompt_tokens=decoded.prompt_tokens, completion_tokens=decoded.completion_tokens
            ),
        )

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        """``complete`` on a worker thread, so the event loop keeps running while the model thinks.

        Cancelling the awaiting task stops the decoding at its next token (the thread cannot be
        killed, but it stops working and releases the model).
        """
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(self._complete, request, cancelled=cancelled)
        except asyncio.CancelledError:
            cancelled.set()
            raise


def _stopper(deadline: float | None, cancelled: threading.Event | None) -> Callable[[], str | None]:
    """The decoding loop's question "stop now?": the planning deadline passed, or the call was cancelled."""

    def should_stop() -> str | None:
        if cancelled is not None and cancelled.is_set():
            return "the planning call was cancelled"
        if deadline is not None and time.monotonic() >= deadline:
            return "the planning deadline passed (retry.total_timeout_s)"
        return None

    return should_stop
