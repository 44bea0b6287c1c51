"""Grammar-constrained decoding on a loaded llama.cpp model, fast enough for a 2-core CPU.

llama.cpp's grammar sampler checks every token of the vocabulary at every step, and Gemma's
vocabulary has 262,144 tokens: that costs more than the model itself. Here the grammar first
checks only the model's top few candidates and falls back to the whole vocabulary only when none
of them fits; at temperature 0 the result is exactly grammar-constrained greedy decoding.

Two more savings: the prompt's longest prefix already in the context's cache is not evaluated
again (in whole batches, see ``prompt_tokens``), and at temperature 0 the decoder drafts the next
tokens and verifies a whole draft in one batch, keeping the longest part the model agrees with.
Drafts come from one of two places (``DraftSource``):

* ``forced``: the text the grammar allows as the *only* continuation — the keys, quotes and
  brackets of the JSON, and the rest of a name once its first letters leave one choice. It is
  found by asking a copy of the grammar which single printable character may come next, until
  more than one may (or the JSON may end). Suits an instruct model's short compact replies, where
  about half the tokens are forced. Two places gain most: the reply's forced opening (such as
  ``{"goals":[`` or ``{"harmful":``, less its last token) is evaluated in the same batch as the
  prompt's last part, and a forced ending that completes the JSON (the closing brackets) is
  written without evaluating it at all.
  On two CPU cores llama.cpp evaluates a small batch at about the cost per token of single
  tokens (41 ms/token for 1 to 8 tokens, 12 ms/token for 32, Qwen2.5-Coder-1.5B Q4_K_M), so
  mid-reply drafts save little; the opening and the ending save whole decode steps.
* ``lookup``: what followed the same last few tokens earlier in the prompt or the reply
  (prompt-lookup decoding). Suits a base model that copies its few-shot examples.

Evaluating tokens in batches (a draft, or the opening with the prompt) can differ from one-token
decoding in the last bits of the logits, so a near tie may break the other way; the reply to a
given prompt is still always the same.

The caller holds ``LoadedModel.lock``.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import llama_cpp
import numpy as np

from bt_planner.backends.local.decode_constraints import NoStayNavigate
from bt_planner.backends.local.loaded_model import SEED, LoadedModel
from bt_planner.backends.local.prompt_tokens import PromptTokens, reusable_prefix
from bt_planner.errors import DecodingError

_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)
_FIRST_LOOK = 16
_SECOND_LOOK = 512
_SAMPLE_TOP_K = 40
_DRAFT_MAX = 12
_DRAFT_NGRAM = 3
_MIN_COMPLETION = 32
_FORCED_MAX_CHARS = 48
_PRINTABLE = tuple(chr(code) for code in range(0x20, 0x7F))

DraftSource = Literal["none", "forced", "lookup"]
"""Where the decoder's drafts come from at temperature 0 (see the module docstring)."""


@dataclass(frozen=True)
class Decoded:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    """``"stop"`` when the grammar completed, ``"length"`` when ``max_tokens`` ran out."""
    drafted_tokens: int = 0
    """How many completion tokens came from accepted drafts (a speed statistic)."""
    reused_prompt_tokens: int = 0
    """How many prompt tokens came from the cache instead of being evaluated (a speed statistic)."""


class _Batch:
    """A reusable llama_batch for one sequence."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.raw = llama_cpp.llama_batch_init(capacity, 0, 1)

    def fill(self, tokens: list[int], start: int, *, logits_from: int) -> None:
        """Load ``tokens`` at positions ``start...``; positions from index ``logits_from`` get logits."""
        batch = self.raw
        batch.n_tokens = len(tokens)
        for i, token in enumerate(tokens):
            batch.token[i] = token
            batch.pos[i] = start + i
            batch.n_seq_id[i] = 1
            batch.seq_id[i][0] = 0
            batch.logits[i] = i >= logits_from

    def close(self) -> None:
        llama_cpp.llama_batch_free(self.raw)


class GrammarFilter:
    """A llama.cpp grammar sampler used only to filter candidate tokens."""

    def __init__(self, sampler: Any) -> None:
        self.sampler = sampler

    @classmethod
    def compile(cls, vocab: Any, grammar: str) -> GrammarFilter:
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, grammar.encode("utf-8"), b"root")
        if not sampler:
            raise DecodingError("llama.cpp rejected the grammar built from the plan schema")
        return cls(sampler)

    def copy(self) -> GrammarFilter:
        """An independent sampler in the same state (for probing ahead)."""
        return GrammarFilter(llama_cpp.llama_sampler_clone(self.sampler))

    def valid(self, ids: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Which of ``ids`` the grammar allows next."""
        data = np.zeros(len(ids), dtype=_TOKEN_DATA)
        data["id"] = ids
        array = llama_cpp.llama_token_data_array(
            data=data.ctypes.data_as(llama_cpp.llama_token_data_p), size=len(ids), selected=-1, sorted=False
        )
        llama_cpp.llama_sampler_apply(self.sampler, ctypes.byref(array))
        mask: np.ndarray[Any, Any] = np.isfinite(data["logit"])
        return mask

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self.sampler, token)

    def close(self) -> None:
        llama_cpp.llama_sampler_free(self.sampler)


@dataclass(frozen=True)
class Forced:
    """The text a grammar forces next, and whether the reply is then complete (nothing else may follow)."""

    text: str
    complete: bool


class ForcedText:
    """The text a grammar allows as its only continuation, probed one character at a time.

    Uses the vocabulary's single-character tokens for printable ASCII: where exactly one of them
    is allowed next and the JSON may not end, that character is forced. Probing runs on a copy of
    the grammar sampler, so the real one only ever sees the tokens the model chose.
    """

    def __init__(self, llama: Any, eos: int) -> None:
        chars: list[str] = []
        ids: list[int] = []
        for char in _PRINTABLE:
            tokens = llama.tokenize(char.encode("utf-8"), add_bos=False, special=False)
            if len(tokens) == 1 and llama.detokenize(tokens).decode("utf-8", errors="replace") == char:
                chars.append(char)
                ids.append(tokens[0])
        self.chars = chars
        self.ids = np.asarray([*ids, eos], dtype=np.intc)

    def after(self, grammar: GrammarFilter, *, limit: int = _FORCED_MAX_CHARS) -> Forced:
        """The forced text from ``grammar``'s current state on (empty when the next character is free)."""
        text = ""
        if not self.chars:
            return Forced(text, complete=False)
        probe = grammar.copy()
        try:
            while len(text) < limit:
                mask = probe.valid(self.ids)
                allowed = int(mask[:-1].sum())
                if mask[-1] or allowed != 1:
                    return Forced(text, complete=bool(mask[-1]) and allowed == 0)
                index = int(np.flatnonzero(mask[:-1])[0])
                text += self.chars[index]
                probe.accept(int(self.ids[index]))
        finally:
            probe.close()
        return Forced(text, complete=False)


class _Session:
    """One decode call: the model's cache bookkeeping, the grammar and the chosen tokens."""

    def __init__(
        self,
        model: LoadedModel,
        grammar: str,
        temperature: float,
        veto: NoStayNavigate | None = None,
        *,
        forced: bool = False,
    ) -> None:
        self.model = model
        self.llama = model.llama
        self.ctx = self.llama.ctx
        self.vocab = llama_cpp.llama_model_get_vocab(self.llama.model)
        self.n_vocab: int = self.llama.n_vocab()
        self.eos: int = self.llama.token_eos()
        self.n_batch: int = self.llama.n_batch
        self.temperature = temperature
        self.rng = np.random.default_rng(SEED)
        self.grammar = GrammarFilter.compile(self.vocab, grammar)
        self.batch = _Batch(self.n_batch)
        self.veto = veto
        self.text = ""
        """The reply so far (kept only when there is a veto to consult)."""
        self.forced_text = ForcedText(self.llama, self.eos) if forced else None

    def close(self) -> None:
        self.grammar.close()
        self.batch.close()

    # ---- the context's cache ----------------------------------------------------------------

    def forget_from(self, position: int) -> bool:
        """Drop cached tokens from ``position`` on; if llama.cpp cannot, drop all and return False."""
        memory = llama_cpp.llama_get_memory(self.ctx)
        if llama_cpp.llama_memory_seq_rm(memory, -1, position, -1):
            del self.model.cached_tokens[position:]
            self.model.cached_batch_ends = [e for e in self.model.cached_batch_ends if e <= position]
            return True
        llama_cpp.llama_memory_clear(memory, True)
        self.model.cached_tokens.clear()
        self.model.cached_batch_ends.clear()
        return False

    def evaluate(self, tokens: list[int], *, logits_for_all: bool) -> None:
        """Append ``tokens`` to the cache; logits for the last (or every, if asked) token."""
        for offset in range(0, len(tokens), self.n_batch):
            chunk = tokens[offset : offset + self.n_batch]
            last_chunk = offset + self.n_batch >= len(tokens)
            start = len(self.model.cached_tokens)
            logits_from = 0 if logits_for_all else len(chunk) - 1
            self.batch.fill(chunk, start, logits_from=logits_from if last_chunk else len(chunk) - 1)
            code = llama_cpp.llama_decode(self.ctx, self.batch.raw)
            if code != 0:
                self.model.cached_tokens.clear()
                self.model.cached_batch_ends.clear()
                llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self.ctx), True)
                raise DecodingError(f"llama_decode failed with code {code}")
            self.model.cached_tokens.extend(chunk)

    def load_prompt(self, prompt: PromptTokens) -> int:
        """Evaluate ``prompt`` in its fixed batches, reusing the cached ones it shares (``prompt_tokens``);
        how many tokens were reused."""
        tokens = list(prompt.tokens)
        ends = prompt.batch_ends(self.n_batch)
        reuse = reusable_prefix(self.model.cached_tokens, self.model.cached_batch_ends, tokens, ends)
        reused = reuse if self.forget_from(reuse) else 0
        start = reused
        for end in ends:
            if end > start:
                self.evaluate(tokens[start:end], logits_for_all=False)
                start = end
        self.model.cached_batch_ends = ends
        return reused

    def open(self, prompt: PromptTokens, *, budget: int) -> tuple[int, list[int]]:
        """Load ``prompt`` followed by the reply's forced opening (at most ``budget - 1`` tokens of it;
        none unless the session drafts forced text) in the prompt's last batch; the prompt tokens
        reused from the cache, and the opening.

        The opening is not verified by the model (it is part of the prompt), so it stops one token
        short of the forced text; the model writes the token at the boundary itself.
        """
        # Without its last token: the forced text may end inside a token the model would write
        # (``":[`` of ``":[{"``), and a prompt cut there pulls the next choice off course.
        opening = self.forced()[0][:-1][: max(0, budget - 1)]
        if opening:
            prompt = PromptTokens(tokens=(*prompt.tokens, *opening), checkpoints=prompt.checkpoints)
        reused = self.load_prompt(prompt)
        for token in opening:  # evaluated with the prompt: already part of the reply
            self.accept(token)
        return reused, opening

    def logits(self, index: int) -> np.ndarray[Any, Any]:
        pointer = llama_cpp.llama_get_logits_ith(self.ctx, index)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))

    # ---- choosing tokens --------------------------------------------------------------------

    def accept(self, token: int) -> None:
        self.grammar.accept(token)
        if self.veto is not None:
            self.text += self.piece(token)

    def piece(self, token: int) -> str:
        return self.llama.detokenize([token]).decode("utf-8", errors="replace")

    def _vetoed(self, ranked: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """``ranked`` without the tokens the plan-level veto rejects here (usually all of them kept)."""
        state = self.veto.open_value(self.text) if self.veto is not None else None
        if state is None or self.veto is None:
            return ranked
        navigating, here, written = state
        keep = [self.veto.allows(navigating, here, written, self.piece(int(t))) for t in ranked]
        return ranked[np.asarray(keep, dtype=bool)] if ranked.size else ranked

    def choose(self, logits: np.ndarray[Any, Any]) -> int:
        """The next token under the grammar: greedy at temperature 0, else seeded sampling."""
        for look in (_FIRST_LOOK, _SECOND_LOOK):
            top = np.argpartition(-logits, look)[:look]
            top = top[np.argsort(-logits[top], kind="stable")]
            ids = np.append(top, self.eos)
            mask = self.grammar.valid(ids)
            if mask[-1]:
                return self.eos  # the JSON is complete
            allowed = self._vetoed(top[mask[:-1]])
            if allowed.size:
                return self._pick(allowed, logits)
        everything = np.arange(self.n_vocab, dtype=np.intc)
        mask = self.grammar.valid(everything)
        allowed = everything[mask]
        ranked = self._vetoed(allowed[np.argsort(-logits[allowed], kind="stable")])
        if not ranked.size:
            raise DecodingError("the grammar allows no token here (is the schema satisfiable?)")
        return self._pick(ranked[:_SAMPLE_TOP_K], logits)

    def _pick(self, ranked: np.ndarray[Any, Any], logits: np.ndarray[Any, Any]) -> int:
        if self.temperature <= 0 or len(ranked) == 1:
            return int(ranked[0])
        ranked = ranked[:_SAMPLE_TOP_K]
        scaled = logits[ranked].astype(np.float64) / self.temperature
        weights = np.exp(scaled - scaled.max())
        return int(self.rng.choice(ranked, p=weights / weights.sum()))

    def is_end(self, token: int) -> bool:
        return token == self.eos or bool(llama_cpp.llama_vocab_is_eog(self.vocab, token))

    def advance(
        self, token: int, draft: list[int], out: list[int], *, budget: int, prompt: list[int]
    ) -> tuple[int, int]:
        """Evaluate the chosen ``token`` and any ``draft`` after it in one batch, keep the draft tokens
        the model agrees with (appended to ``out``); how many, and where the next logits are."""
        self.evaluate([token, *draft], logits_for_all=bool(draft))
        if not draft:
            return 0, -1
        kept = self.keep_agreed(draft, out, budget=budget)
        if self.forget_from(len(self.model.cached_tokens) - (len(draft) - kept)):
            return kept, kept
        self.evaluate(prompt + out, logits_for_all=False)  # cache rebuilt: the last token's logits
        return kept, -1

    def keep_agreed(self, draft: list[int], out: list[int], *, budget: int) -> int:
        """Append to ``out`` the leading draft tokens the model would choose itself; how many.

        The draft was evaluated in one batch after the last chosen token, so batch position i
        predicts what follows ``draft[i - 1]``.
        """
        kept = 0
        for i, proposed in enumerate(draft):
            if len(out) >= budget or self.choose(self.logits(i)) != proposed:
                break
            self.accept(proposed)
            out.append(proposed)
            kept += 1
        return kept

    def forced(self) -> tuple[list[int], bool]:
        """The grammar's forced continuation as tokens (may be none), and whether it ends the reply."""
        forced = self.forced_text.after(self.grammar) if self.forced_text is not None else Forced("", False)
        if not forced.text:
            return [], forced.complete
        tokens: list[int] = self.llama.tokenize(forced.text.encode("utf-8"), add_bos=False, special=False)
        return tokens, forced.complete


def _draft(history: list[int]) -> list[int]:
    """What followed the latest earlier occurrence of the last few tokens, if anything."""
    for n in range(_DRAFT_NGRAM, 1, -1):
        if len(history) <= n:
            continue
        tail = history[-n:]
        for start in range(len(history) - n - 1, -1, -1):
            if history[start : start + n] == tail:
                return history[start + n : start + n + _DRAFT_MAX]
    return []


def _next_draft(session: _Session, history: list[int], source: DraftSource) -> tuple[list[int], bool]:
    """Draft tokens from ``source``, and whether they complete the reply (forced drafts only)."""
    if source == "forced":
        return session.forced()
    if source == "lookup":
        return _draft(history), False
    return [], False


def _stop_if_asked(should_stop: Callable[[], str | None] | None, *, written: int, budget: int) -> None:
    """``DecodingError`` with the reason when ``should_stop`` gives one."""
    reason = should_stop() if should_stop is not None else None
    if reason is not None:
        raise DecodingError(f"stopped after {written} of at most {budget} tokens: {reason}")


def _tokenized(model: LoadedModel, prompt: str | PromptTokens) -> PromptTokens:
    """A plain-text prompt with a BOS and no control tokens; ready ``PromptTokens`` as they are."""
    if isinstance(prompt, PromptTokens):
        return prompt
    tokens = model.llama.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
    return PromptTokens(tuple(tokens))


def decode(
    model: LoadedModel,
    prompt: str | PromptTokens,
    grammar: str,
    *,
    max_tokens: int,
    temperature: float = 0.0,
    drafts: DraftSource = "lookup",
    veto: NoStayNavigate | None = None,
    should_stop: Callable[[], str | None] | None = None,
) -> Decoded:
    """Complete ``prompt`` with text the grammar accepts. The caller holds ``model.lock``.

    A ``str`` prompt is plain text (tokenized with a BOS, no special tokens, one batch every
    ``n_batch`` tokens); ``PromptTokens`` come ready, with their own batch checkpoints.
    ``drafts`` (``forced``, ``lookup`` or ``none``; used only at temperature 0) changes speed; the
    text only where batched evaluation breaks a near tie the other way (see the module docstring).
    ``veto`` (optional) rejects navigate steps to where the robot already is.
    ``should_stop`` (optional) is asked after the prompt and before every token: a reason it returns
    (a deadline passed, the caller cancelled) ends decoding with a ``DecodingError`` naming it.
    """
    llama = model.llama
    prompt = _tokenized(model, prompt)
    prompt_tokens = list(prompt.tokens)
    room = model.context_tokens - len(prompt_tokens)
    if room < _MIN_COMPLETION:
        raise DecodingError(
            f"the prompt takes {len(prompt_tokens)} of {model.context_tokens} context tokens; "
            "raise llm.local_context or shorten the world description"
        )
    budget = min(max_tokens, room)
    greedy = temperature <= 0
    session = _Session(model, grammar, temperature, veto, forced=greedy and drafts == "forced")
    finish = "length"
    try:
        reused, out = session.open(prompt, budget=budget)  # the forced opening is already written
        drafted, logits_index = len(out), -1
        while len(out) < budget:
            _stop_if_asked(should_stop, written=len(out), budget=budget)
            token = session.choose(session.logits(logits_index))
            if session.is_end(token):
                finish = "stop"
                break
            session.accept(token)
            out.append(token)
            if len(out) >= budget:
                break
            draft, complete = _next_draft(session, prompt_tokens + out, drafts if greedy else "none")
            if complete and len(out) + len(draft) <= budget:  # the rest is fixed: write it unevaluated
                out += draft
                drafted += len(draft)
                finish = "stop"
                break
            draft = draft[: max(0, min(budget - len(out), room - len(out) - 1))]
            kept, logits_index = session.advance(token, draft, out, budget=budget, prompt=prompt_tokens)
            drafted += kept
        text = llama.detokenize(out).decode("utf-8", errors="replace")
    finally:
        session.close()
    return Decoded(
        text=text,
        prompt_tokens=len(prompt_tokens),
        completion_tokens=len(out),
        finish_reason=finish,
        drafted_tokens=drafted,
        reused_prompt_tokens=reused,
    )
