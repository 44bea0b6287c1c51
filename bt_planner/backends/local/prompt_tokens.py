"""A tokenized prompt and the batches it is evaluated in, which decide what of it the cache can reuse.

llama.cpp's numerics depend on batch shapes, so a reply may depend on how its prompt was split
into batches. A prompt is therefore always evaluated in the same batches, fixed by the prompt
alone: it is cut at its *checkpoints* (where a part that repeats across requests ends, such as
the system turn) and each piece into ``n_batch``-token batches. A later prompt reuses the cached
keys and values up to the last batch end that both prompts share, token for token and batch for
batch; everything after that is evaluated exactly as a cold cache would evaluate it. So a
follow-up command pays only for what changed, and a reply never depends on what was decoded
before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PromptTokens:
    """A prompt as tokens, with the positions where evaluation starts a new batch."""

    tokens: tuple[int, ...]
    checkpoints: tuple[int, ...] = ()
    """Token positions after parts that later prompts are likely to share (e.g. the system turn)."""

    def batch_ends(self, n_batch: int) -> list[int]:
        """Where each evaluation batch ends: at every checkpoint, and every ``n_batch`` tokens between."""
        return batch_ends(len(self.tokens), self.checkpoints, n_batch)


def batch_ends(length: int, checkpoints: Sequence[int], n_batch: int) -> list[int]:
    """The end positions of the batches a ``length``-token prompt is evaluated in."""
    if n_batch < 1:
        raise ValueError("n_batch must be positive")
    ends: list[int] = []
    start = 0
    for stop in sorted({c for c in checkpoints if 0 < c < length} | {length}):
        while start < stop:
            start = min(start + n_batch, stop)
            ends.append(start)
    return ends


def reusable_prefix(
    cached_tokens: Sequence[int], cached_ends: Sequence[int], tokens: Sequence[int], ends: Sequence[int]
) -> int:
    """How many leading tokens of a new prompt can come from the cache.

    The largest batch end of the new prompt that is also a batch end of the cached one, with every
    earlier batch end the same and every token before it equal; the last token is always evaluated
    again (its logits are needed).
    """
    common = 0
    for a, b in zip(cached_tokens, tokens[:-1], strict=False):
        if a != b:
            break
        common += 1
    reuse = 0
    for index, end in enumerate(ends):
        if end > common or index >= len(cached_ends) or cached_ends[index] != end:
            break
        reuse = end
    return reuse
