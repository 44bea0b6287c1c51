"""Text that is safe to publish: valid Unicode with no control characters.

A model reply may carry ``"\\ud800"`` (a lone surrogate) inside a JSON string, and a command read
from argv with invalid UTF-8 arrives with surrogate escapes. Neither can be encoded as UTF-8, so a
ROS ``String`` message, a snapshot or a JSON document containing it fails. ``safe_text`` replaces
every surrogate code point and every control character other than tab, newline and carriage
return with U+FFFD (the replacement character), so the damage stays visible but harmless.

The plan, goal, issue and result models apply it to their strings (``SafeStr``), so every string
that reaches a ROS message, a snapshot or JSON output is valid; adapters that publish other text
call ``safe_text`` themselves.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, model_validator

REPLACEMENT = "\ufffd"

_UNSAFE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def safe_text(text: str, *, max_chars: int | None = None) -> str:
    """``text`` with surrogates and control characters (except tab, LF, CR) replaced by U+FFFD.

    Args:
        text: any Python string, valid Unicode or not.
        max_chars: when given, longer text is cut to this many characters, ending with "…".

    Returns:
        A string that always encodes as strict UTF-8.
    """
    cleaned = _UNSAFE.sub(REPLACEMENT, text)
    if max_chars is not None and len(cleaned) > max_chars:
        cleaned = cleaned[: max(0, max_chars - 1)] + "…"
    return cleaned


def is_safe_text(text: str) -> bool:
    """True when ``text`` has no surrogate and no control character other than tab, LF, CR."""
    return _UNSAFE.search(text) is None


def safe_value(value: Any) -> Any:
    """``value`` with ``safe_text`` applied to every string in it (dict keys included, recursively)."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_value(k): safe_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [safe_value(v) for v in value]
    if isinstance(value, tuple):
        return tuple(safe_value(v) for v in value)
    return value


SafeStr = Annotated[str, AfterValidator(safe_text)]
"""A pydantic string field whose value is passed through ``safe_text``."""


class SafeTextModel(BaseModel):
    """A model whose input strings (nested ones and dict keys included) go through ``safe_text`` first."""

    @model_validator(mode="before")
    @classmethod
    def _safe_strings(cls, value: Any) -> Any:
        return safe_value(value) if isinstance(value, dict) else value
