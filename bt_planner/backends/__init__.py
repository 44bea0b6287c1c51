"""Model backends: adapters at the edge that turn a ``ChatRequest`` into a ``ChatReply``.

Nothing here imports a vendor SDK at import time; each adapter imports its SDK when built.
"""

from bt_planner.backends.base import BackendError, ChatBackend, ChatMessage, ChatReply, ChatRequest
from bt_planner.backends.selection import make_backend

__all__ = ["BackendError", "ChatBackend", "ChatMessage", "ChatReply", "ChatRequest", "make_backend"]
