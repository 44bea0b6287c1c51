"""An instruct model's prompt: the request's own turns, rendered with the model's own chat template.

The template is the GGUF's ``tokenizer.chat_template``. It is data from the weights file, so it is
rendered by llama-cpp-python's ``Jinja2ChatFormatter``, which runs it in Jinja's immutable
sandbox. The messages go in as they are (system, user, and the assistant/user turns of a repair
round), followed by the template's generation prompt; decoding then writes the assistant's reply
under the request's grammar.

Only the template may spell control tokens. Message contents are tokenized as plain text, so a
command that contains ``<|im_end|>`` or ``<|im_start|>system`` stays text and cannot end its turn
or forge another. To tell the template's text from the messages', the template is rendered with a
unique marker in place of each message's content; the text between markers is the template's.
(A template that alters its messages so that the markers do not come out in order, each once, is
rendered with the real contents and tokenized whole, control tokens allowed, as llama.cpp's own
server does.)

Checkpoints for the prompt cache (``prompt_tokens``) are the end of every message and the start of
its last line. The planner puts its fixed instructions in the system turn and the world, the robot
and the command in the user turn, with the command on the last line: a follow-up command reuses
the cached system turn and, when the world is unchanged, the world lines too.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from bt_planner.backends.local.prompt_tokens import PromptTokens
from bt_planner.errors import DecodingError
from bt_planner.llm.chat import ChatMessage

log = logging.getLogger(__name__)

TEMPLATE_KEY = "tokenizer.chat_template"
"""The GGUF metadata key that holds an instruct model's chat template."""

Tokenize = Callable[[str, bool], list[int]]
"""``(text, special)`` to tokens, no BOS added; ``special`` lets the text spell control tokens."""


@dataclass(frozen=True)
class Piece:
    """A stretch of the rendered prompt: the template's own text, or one message's content."""

    text: str
    message: int | None
    """The index of the message this is the content of; ``None`` for template text."""


def render_pieces(
    messages: Sequence[ChatMessage], template: str, *, bos_token: str = "", eos_token: str = ""
) -> list[Piece] | None:
    """The prompt as template and message pieces, in order; ``None`` if the template alters messages."""
    if not messages:
        raise DecodingError("a chat prompt needs at least one message")
    nonce = uuid.uuid4().hex
    markers = [f"\u27e6bt-planner-{nonce}-{i}\u27e7" for i in range(len(messages))]
    rendered = _render(
        [ChatMessage(role=m.role, content=marker) for m, marker in zip(messages, markers, strict=True)],
        template,
        bos_token,
        eos_token,
    )
    pieces: list[Piece] = []
    position = 0
    for index, marker in enumerate(markers):
        found = rendered.find(marker, position)
        if found < 0 or rendered.count(marker) != 1:
            return None
        if found > position:
            pieces.append(Piece(rendered[position:found], None))
        pieces.append(Piece(messages[index].content, index))
        position = found + len(marker)
    if position < len(rendered):
        pieces.append(Piece(rendered[position:], None))
    return pieces


def render_text(
    messages: Sequence[ChatMessage], template: str, *, bos_token: str = "", eos_token: str = ""
) -> str:
    """The prompt exactly as the template renders these messages (with the generation prompt)."""
    return _render(list(messages), template, bos_token, eos_token)


@functools.lru_cache(maxsize=4)
def _formatter(template: str, bos_token: str, eos_token: str) -> Jinja2ChatFormatter:
    """The compiled template (compiling takes longer than rendering)."""
    return Jinja2ChatFormatter(template=template, bos_token=bos_token, eos_token=eos_token)


def _render(messages: list[ChatMessage], template: str, bos_token: str, eos_token: str) -> str:
    try:
        formatter = _formatter(template, bos_token, eos_token)
        wire: list[Any] = [{"role": m.role, "content": m.content} for m in messages]
        response = formatter(messages=wire)
    except Exception as error:  # a template is foreign code-like data: any failure is the model's
        raise DecodingError(f"the model's chat template cannot render the request: {error}") from error
    prompt: str = response.prompt
    return prompt


def _checkpoints_in(text: str, start: int, tokens: list[int], tokenize: Tokenize) -> list[int]:
    """The start of ``text``'s last line (if it tokenizes on its own the same way) and its end."""
    points = []
    cut = text.rfind("\n") + 1
    if 0 < cut < len(text):
        head = tokenize(text[:cut], False)
        if tokens[: len(head)] == head:
            points.append(start + len(head))
    points.append(start + len(tokens))
    return points


def chat_prompt(
    messages: Sequence[ChatMessage],
    template: str,
    tokenize: Tokenize,
    *,
    bos_token: str = "",
    eos_token: str = "",
    bos_id: int | None = None,
) -> PromptTokens:
    """The request's turns as the model's own chat prompt, tokenized, with cache checkpoints.

    Args:
        messages: the request's messages, in order.
        template: the model's Jinja chat template.
        tokenize: the model's tokenizer (``Tokenize``).
        bos_token: the BOS token's text, for templates that write it.
        eos_token: the EOS token's text, for templates that write it.
        bos_id: a BOS token to put first when the model wants one and the template wrote none.
    """
    pieces = render_pieces(messages, template, bos_token=bos_token, eos_token=eos_token)
    tokens: list[int] = []
    checkpoints: list[int] = []
    if pieces is None:
        log.warning("the chat template changes message text; tokenizing its whole output with control tokens")
        text = render_text(messages, template, bos_token=bos_token, eos_token=eos_token)
        tokens = tokenize(text, True)
    else:
        for piece in pieces:
            if piece.message is None:
                tokens.extend(tokenize(piece.text, True))
            else:
                part = tokenize(piece.text, False)
                checkpoints.extend(_checkpoints_in(piece.text, len(tokens), part, tokenize))
                tokens.extend(part)
    if bos_id is not None and (not tokens or tokens[0] != bos_id):
        tokens.insert(0, bos_id)
        checkpoints = [c + 1 for c in checkpoints]
    return PromptTokens(tokens=tuple(tokens), checkpoints=tuple(checkpoints))
